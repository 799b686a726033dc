//! The zip container of a workbook: reading entries (stored or DEFLATE, ZIP64,
//! checked while inflating against [`super::MAX_UNPACKED`]) and writing them
//! (DEFLATE, fixed timestamps, so the same parts give the same bytes).

use super::read::Budget;
use super::{bad, damaged, MAX_UNPACKED};
use crate::error::Result;

// ---------------------------------------------------------------------------
// Zip container

pub(super) const LOCAL_HEADER: u32 = 0x0403_4b50;
pub(super) const CENTRAL_HEADER: u32 = 0x0201_4b50;
pub(super) const END_OF_CENTRAL_DIR: u32 = 0x0605_4b50;
pub(super) const ZIP64_END_LOCATOR: u32 = 0x0706_4b50;
pub(super) const ZIP64_END_OF_CENTRAL_DIR: u32 = 0x0606_4b50;
pub(super) const OLE2_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

pub(super) fn le16(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes(b.try_into().ok()?))
}

pub(super) fn le32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(b.try_into().ok()?))
}

pub(super) fn le64(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(b.try_into().ok()?))
}

pub(super) fn to_usize(n: u64) -> Option<usize> {
    usize::try_from(n).ok()
}

/// One entry of the central directory.
pub(super) struct Entry<'a> {
    pub(super) name: &'a [u8],
    pub(super) flags: u16,
    pub(super) method: u16,
    pub(super) crc: u32,
    pub(super) compressed: usize,
    pub(super) size: usize,
    pub(super) offset: usize,
}

/// A zip archive held in memory: its central directory, trusted for nothing
/// but where to look.
pub(super) struct Zip<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) entries: Vec<Entry<'a>>,
}

impl<'a> Zip<'a> {
    pub(super) fn parse(bytes: &'a [u8]) -> Result<Self> {
        let not_zip = || {
            if bytes.starts_with(OLE2_MAGIC) {
                damaged(
                    "this is an old-style .xls workbook or a password-protected .xlsx; \
                     save it from Excel as an .xlsx workbook without a password",
                )
            } else {
                damaged("this is not an .xlsx workbook: it is not a zip file")
            }
        };
        let truncated = || {
            damaged("the workbook is damaged: its zip directory is cut short or points outside it")
        };

        // The end-of-central-directory record: the last one in the final
        // 64 KiB + 22 bytes (the record and the longest comment).
        if bytes.len() < 22 {
            return Err(not_zip());
        }
        let last = bytes.len() - 22;
        let eocd = (last.saturating_sub(0xFFFF)..=last)
            .rev()
            .find(|&at| le32(bytes, at) == Some(END_OF_CENTRAL_DIR))
            .ok_or_else(not_zip)?;
        let field16 = |at| le16(bytes, eocd + at).map(u64::from).ok_or_else(truncated);
        let field32 = |at| le32(bytes, eocd + at).map(u64::from).ok_or_else(truncated);
        let mut count = field16(10)?;
        let mut dir_offset = field32(16)?;

        if count == 0xFFFF || field32(12)? == 0xFFFF_FFFF || dir_offset == 0xFFFF_FFFF {
            // ZIP64: a locator just before the record points at the real one.
            if let Some(locator) = eocd.checked_sub(20) {
                if le32(bytes, locator) == Some(ZIP64_END_LOCATOR) {
                    let at = le64(bytes, locator + 8)
                        .and_then(to_usize)
                        .ok_or_else(truncated)?;
                    if le32(bytes, at) != Some(ZIP64_END_OF_CENTRAL_DIR) {
                        return Err(truncated());
                    }
                    count = le64(bytes, at + 32).ok_or_else(truncated)?;
                    dir_offset = le64(bytes, at + 48).ok_or_else(truncated)?;
                }
            }
        }

        let mut entries = Vec::new();
        let mut at = to_usize(dir_offset).ok_or_else(truncated)?;
        for _ in 0..count {
            // Each entry takes at least 46 bytes, so a lying count ends here.
            if le32(bytes, at) != Some(CENTRAL_HEADER) {
                return Err(truncated());
            }
            let get16 = |off: usize| le16(bytes, at + off).ok_or_else(truncated);
            let get32 = |off: usize| le32(bytes, at + off).ok_or_else(truncated);
            let flags = get16(8)?;
            let method = get16(10)?;
            let crc = get32(16)?;
            let mut compressed = u64::from(get32(20)?);
            let mut size = u64::from(get32(24)?);
            let name_len = usize::from(get16(28)?);
            let extra_len = usize::from(get16(30)?);
            let comment_len = usize::from(get16(32)?);
            let mut offset = u64::from(get32(42)?);
            let name_start = at + 46;
            let extra_start = name_start + name_len;
            let end = extra_start + extra_len + comment_len;
            let name = bytes.get(name_start..extra_start).ok_or_else(truncated)?;
            let extra = bytes
                .get(extra_start..extra_start + extra_len)
                .ok_or_else(truncated)?;
            // ZIP64 extra field: the 64-bit values of the fields set to all ones.
            let mut pos = 0;
            while let (Some(id), Some(len)) = (le16(extra, pos), le16(extra, pos + 2)) {
                let data = extra
                    .get(pos + 4..pos + 4 + usize::from(len))
                    .unwrap_or(&[]);
                if id == 1 {
                    let mut next = 0;
                    for field in [&mut size, &mut compressed, &mut offset] {
                        if *field == 0xFFFF_FFFF {
                            *field = le64(data, next).ok_or_else(truncated)?;
                            next += 8;
                        }
                    }
                }
                pos += 4 + usize::from(len);
            }
            entries.push(Entry {
                name,
                flags,
                method,
                crc,
                compressed: to_usize(compressed).ok_or_else(truncated)?,
                size: to_usize(size).ok_or_else(truncated)?,
                offset: to_usize(offset).ok_or_else(truncated)?,
            });
            at = end;
        }
        Ok(Zip { bytes, entries })
    }

    /// The entry named `name`: exactly, else ignoring ASCII case and taking
    /// `\` for `/` (part names are case-insensitive).
    pub(super) fn find(&self, name: &str) -> Option<&Entry<'a>> {
        let want = name.as_bytes();
        self.entries.iter().find(|e| e.name == want).or_else(|| {
            let norm = |b: &u8| {
                if *b == b'\\' {
                    b'/'
                } else {
                    b.to_ascii_lowercase()
                }
            };
            self.entries.iter().find(|e| {
                e.name.len() == want.len() && e.name.iter().map(norm).eq(want.iter().map(norm))
            })
        })
    }

    /// The unpacked bytes of the part `name`, `None` if there is no such entry.
    pub(super) fn read_part(&self, name: &str, budget: &mut Budget) -> Result<Option<Vec<u8>>> {
        let Some(entry) = self.find(name) else {
            return Ok(None);
        };
        let damaged_entry =
            |what: &str| bad(format!("the workbook is damaged: {what}"), Some(name), None);
        if entry.flags & 1 != 0 {
            return Err(bad(
                "the workbook is encrypted; save it without a password",
                Some(name),
                None,
            ));
        }
        if entry.method != 0 && entry.method != 8 {
            return Err(bad(
                format!(
                    "unsupported compression method {} (only stored and DEFLATE are read); \
                     save the workbook again from a spreadsheet program",
                    entry.method
                ),
                Some(name),
                None,
            ));
        }
        if entry.size > budget.unpacked {
            return Err(bad(
                format!(
                    "the workbook is too large: its parts unpack to more than {} MiB",
                    MAX_UNPACKED >> 20
                ),
                Some(name),
                Some(&entry.size.to_string()),
            ));
        }
        let bytes = self.bytes;
        if le32(bytes, entry.offset) != Some(LOCAL_HEADER) {
            return Err(damaged_entry("its zip entry header is missing"));
        }
        let header = |off: usize| {
            le16(bytes, entry.offset + off)
                .map(usize::from)
                .ok_or_else(|| damaged_entry("its zip entry header is cut short"))
        };
        let start = entry.offset + 30 + header(26)? + header(28)?;
        let data = start
            .checked_add(entry.compressed)
            .and_then(|end| bytes.get(start..end))
            .ok_or_else(|| damaged_entry("its compressed data runs past the end of the file"))?;
        let unpacked = if entry.method == 0 {
            if data.len() != entry.size {
                return Err(damaged_entry("its stored size does not match"));
            }
            data.to_vec()
        } else {
            if data.is_empty() {
                return Err(damaged_entry("its compressed data is empty"));
            }
            // Inflates at most the declared size, which is within the budget:
            // more output is an error, found while inflating.
            let out = miniz_oxide::inflate::decompress_to_vec_with_limit(data, entry.size)
                .map_err(|_| {
                    damaged_entry("its compressed data is corrupt or longer than declared")
                })?;
            if out.len() != entry.size {
                return Err(damaged_entry("it unpacks to fewer bytes than declared"));
            }
            out
        };
        if crc32(&unpacked) != entry.crc {
            return Err(damaged_entry("its checksum (CRC-32) does not match"));
        }
        budget.unpacked -= entry.size;
        Ok(Some(unpacked))
    }
}

/// The CRC-32 (IEEE) lookup table, built at compile time.
pub(super) const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// The CRC-32 that zip files use.
pub(super) fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c = CRC_TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

/// A zip archive of `entries`, each DEFLATE-compressed, with fixed timestamps
/// so that the same sheets always give the same bytes.
pub(super) fn zip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    const DOS_DATE_1980_01_01: u16 = (1 << 5) | 1;
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let compressed = miniz_oxide::deflate::compress_to_vec(data, 6);
        let crc = crc32(data);
        let offset = out.len() as u32;
        let mut common = Vec::with_capacity(26);
        common.extend_from_slice(&20u16.to_le_bytes()); // version needed: 2.0
        common.extend_from_slice(&0u16.to_le_bytes()); // flags
        common.extend_from_slice(&8u16.to_le_bytes()); // DEFLATE
        common.extend_from_slice(&0u16.to_le_bytes()); // time
        common.extend_from_slice(&DOS_DATE_1980_01_01.to_le_bytes());
        common.extend_from_slice(&crc.to_le_bytes());
        common.extend_from_slice(&(compressed.len() as u32).to_le_bytes());
        common.extend_from_slice(&(data.len() as u32).to_le_bytes());
        common.extend_from_slice(&(name.len() as u16).to_le_bytes());
        common.extend_from_slice(&0u16.to_le_bytes()); // extra length

        out.extend_from_slice(&LOCAL_HEADER.to_le_bytes());
        out.extend_from_slice(&common);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&compressed);

        central.extend_from_slice(&CENTRAL_HEADER.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        central.extend_from_slice(&common);
        central.extend_from_slice(&[0; 10]); // comment length, disk, attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let dir_offset = out.len() as u32;
    let count = entries.len() as u16;
    out.extend_from_slice(&central);
    out.extend_from_slice(&END_OF_CENTRAL_DIR.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // disk numbers
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&dir_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment length
    out
}
