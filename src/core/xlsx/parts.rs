//! The workbook's XML parts other than the worksheet: a pull parser whose
//! errors name the part, relationships, the sheet list and the shared strings
//! (the rules are in the [module documentation](super)).

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::read::Budget;
use super::{bad, damaged};
use crate::error::{Error, Result};

/// A pull parser over one part, with errors that name the part.
pub(super) struct Xml<'a> {
    pub(super) reader: Reader<&'a [u8]>,
    pub(super) part: &'a str,
}

impl<'a> Xml<'a> {
    pub(super) fn new(xml: &'a [u8], part: &'a str) -> Result<Self> {
        if xml.starts_with(b"\xFF\xFE") || xml.starts_with(b"\xFE\xFF") {
            return Err(bad(
                "the part is UTF-16 encoded, which is not supported; save the workbook again",
                Some(part),
                None,
            ));
        }
        let xml = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml);
        Ok(Xml {
            reader: Reader::from_reader(xml),
            part,
        })
    }

    pub(super) fn malformed(&self, what: &str, at: u64) -> Error {
        bad(
            format!("the XML is malformed at byte offset {at}: {what}"),
            Some(self.part),
            None,
        )
    }

    pub(super) fn not_utf8(&self, at: u64) -> Error {
        self.malformed("the text is not valid UTF-8", at)
    }

    pub(super) fn next(&mut self) -> Result<Event<'a>> {
        self.reader
            .read_event()
            .map_err(|e| self.malformed(xml_error_words(&e), self.reader.error_position()))
    }

    /// The value of the attribute named `key` (a qualified name as written,
    /// or, for `key` of the form `:local`, any prefixed name with that local part).
    pub(super) fn attr(&self, e: &BytesStart<'_>, key: &str) -> Result<Option<String>> {
        let pos = self.reader.buffer_position();
        for a in e.attributes().with_checks(false) {
            let a = a.map_err(|_| self.malformed("an attribute is malformed", pos))?;
            let name = a.key;
            let hit = match key.strip_prefix(':') {
                Some(local) => {
                    name.prefix().is_some() && name.local_name().as_ref() == local.as_bytes()
                }
                None => name.as_ref() == key.as_bytes(),
            };
            if hit {
                // Values we read (references, ids, paths, sheet names) hold no
                // line breaks, so entities are all there is to decode.
                let raw = std::str::from_utf8(&a.value).map_err(|_| self.not_utf8(pos))?;
                let value = quick_xml::escape::unescape(raw).map_err(|_| {
                    self.malformed("a character or entity reference is not valid", pos)
                })?;
                return Ok(Some(value.into_owned()));
            }
        }
        Ok(None)
    }

    /// Appends the text of a text, CDATA or entity event to `out`.
    pub(super) fn text(&self, event: &Event<'_>, out: &mut String) -> Result<()> {
        let pos = self.reader.buffer_position();
        match event {
            Event::Text(t) => out.push_str(&t.xml10_content().map_err(|_| self.not_utf8(pos))?),
            Event::CData(t) => out.push_str(&t.xml10_content().map_err(|_| self.not_utf8(pos))?),
            Event::GeneralRef(r) => {
                if let Some(c) = r
                    .resolve_char_ref()
                    .map_err(|e| self.malformed(xml_error_words(&e), pos))?
                {
                    out.push(c);
                } else {
                    let name = r.decode().map_err(|_| self.not_utf8(pos))?;
                    match name.as_ref() {
                        "lt" => out.push('<'),
                        "gt" => out.push('>'),
                        "amp" => out.push('&'),
                        "apos" => out.push('\''),
                        "quot" => out.push('"'),
                        other => {
                            return Err(self.malformed(&format!("unknown entity &{other};"), pos));
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// What a quick-xml error means, in plain words (its own messages are left
/// out of the WebAssembly build, which they would grow by some 8 KB).
pub(super) fn xml_error_words(e: &quick_xml::Error) -> &'static str {
    match e {
        quick_xml::Error::Syntax(_) => "a tag, comment or CDATA section is not closed",
        quick_xml::Error::IllFormed(_) => "the tags do not match or do not nest",
        quick_xml::Error::InvalidAttr(_) => "an attribute is malformed",
        quick_xml::Error::Encoding(_) => "the text is not valid UTF-8",
        quick_xml::Error::Escape(_) => "a character or entity reference is not valid",
        _ => "it is not well-formed XML",
    }
}

/// One relationship of a `.rels` part.
pub(super) struct Rel {
    pub(super) id: String,
    pub(super) kind: String,
    pub(super) target: String,
}

pub(super) fn read_rels(xml: &[u8], part: &str) -> Result<Vec<Rel>> {
    let mut x = Xml::new(xml, part)?;
    let mut rels = Vec::new();
    loop {
        match x.next()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"Relationship" => {
                if x.attr(&e, "TargetMode")?.as_deref() == Some("External") {
                    continue;
                }
                if let (Some(id), Some(kind), Some(target)) = (
                    x.attr(&e, "Id")?,
                    x.attr(&e, "Type")?,
                    x.attr(&e, "Target")?,
                ) {
                    rels.push(Rel { id, kind, target });
                }
            }
            Event::Eof => return Ok(rels),
            _ => {}
        }
    }
}

/// The workbook's sheets in tab order: name and relationship id.
pub(super) fn read_workbook(xml: &[u8], part: &str) -> Result<Vec<(String, String)>> {
    let mut x = Xml::new(xml, part)?;
    let mut sheets = Vec::new();
    let mut root = None;
    loop {
        match x.next()? {
            Event::Start(e) | Event::Empty(e) => {
                let local = e.local_name();
                if root.is_none() {
                    root = Some(local.as_ref().to_vec());
                    if local.as_ref() != b"workbook" {
                        return Err(damaged(format!(
                            "this is not an .xlsx workbook: its main part {part} is not a \
                             spreadsheet (a Word or PowerPoint file?)"
                        )));
                    }
                } else if local.as_ref() == b"sheet" {
                    let name = x.attr(&e, "name")?.unwrap_or_default();
                    if let Some(id) = x.attr(&e, ":id")? {
                        sheets.push((name, id));
                    }
                }
            }
            Event::Eof => return Ok(sheets),
            _ => {}
        }
    }
}

/// The text of a shared string or inline string: the `<t>` elements, outside
/// phonetic runs (`<rPh>`), joined.
#[derive(Default)]
pub(super) struct RichText {
    pub(super) text: String,
    pub(super) phonetic: usize,
    pub(super) t: Option<String>,
}

impl RichText {
    pub(super) fn start(&mut self, local: &[u8]) {
        match local {
            b"rPh" => self.phonetic += 1,
            b"t" if self.phonetic == 0 => self.t = Some(String::new()),
            _ => {}
        }
    }

    pub(super) fn end(&mut self, local: &[u8]) {
        match local {
            b"rPh" => self.phonetic = self.phonetic.saturating_sub(1),
            b"t" => {
                if let Some(t) = self.t.take() {
                    self.text.push_str(&unescape_x(&t));
                }
            }
            _ => {}
        }
    }
}

pub(super) fn read_shared_strings(
    xml: &[u8],
    part: &str,
    budget: &mut Budget,
) -> Result<Vec<String>> {
    let mut x = Xml::new(xml, part)?;
    let mut strings = Vec::new();
    let mut si: Option<RichText> = None;
    loop {
        let event = x.next()?;
        match &event {
            Event::Start(e) => match (&mut si, e.local_name().as_ref()) {
                (None, b"si") => si = Some(RichText::default()),
                (Some(rich), local) => rich.start(local),
                _ => {}
            },
            Event::Empty(e) => match (&mut si, e.local_name().as_ref()) {
                (None, b"si") => {
                    budget.spend_cells(size_of::<String>(), part)?;
                    strings.push(String::new());
                }
                (Some(rich), local) => {
                    rich.start(local);
                    rich.end(local);
                }
                _ => {}
            },
            Event::End(e) => match (&mut si, e.local_name().as_ref()) {
                (Some(_), b"si") => {
                    let text = si.take().map(|r| r.text).unwrap_or_default();
                    budget.spend_cells(size_of::<String>() + text.len(), part)?;
                    strings.push(text);
                }
                (Some(rich), local) => rich.end(local),
                _ => {}
            },
            Event::Eof => return Ok(strings),
            _ => {
                if let Some(t) = si.as_mut().and_then(|r| r.t.as_mut()) {
                    x.text(&event, t)?;
                }
            }
        }
    }
}

/// Decodes Excel's `_xHHHH_` escapes (how it writes control characters; a
/// literal `_x0041_` is written `_x005F_x0041_`).
pub(super) fn unescape_x(s: &str) -> Cow<'_, str> {
    if !s.contains("_x") {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("_x") {
        let (before, from) = rest.split_at(i);
        out.push_str(before);
        let decoded = from
            .get(2..6)
            .filter(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .filter(|_| from.as_bytes().get(6) == Some(&b'_'))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .and_then(char::from_u32);
        match decoded {
            Some(c) => {
                out.push(c);
                rest = from.get(7..).unwrap_or("");
            }
            None => {
                out.push('_');
                rest = from.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}
