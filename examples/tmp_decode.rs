use std::time::Instant;
use manyi::store::{decode_chunk, encode_chunk, StoredSet, Origin, Device};
fn main() {
    let inst = manyi::Instrument::builtin();
    let data = manyi::generate::generate(&inst, 1_000_000, 1).unwrap();
    let mut set = StoredSet::new(inst.clone());
    set.exported = vec![false; data.len()];
    set.contacts = vec![None; data.len()];
    set.origin = vec![Origin::Chunk; data.len()];
    set.responses = data.clone();
    let t = Instant::now(); let chunk = encode_chunk(&set); println!("encode {:?} {} bytes", t.elapsed(), chunk.len());
    for _ in 0..3 { let t = Instant::now(); let c = encode_chunk(&set); println!("encode {:?}", t.elapsed()); drop(c); }
    for _ in 0..3 { let t = Instant::now(); let s = decode_chunk(&chunk).unwrap(); println!("decode {:?}", t.elapsed()); drop(s); }
    let t = Instant::now(); let mut d = Device::new(); d.add_chunk("a", &chunk); println!("add_chunk {:?}", t.elapsed());
    let t = Instant::now(); let s = d.sets.values().next().unwrap().responses_with(false); println!("clone {:?} {}", t.elapsed(), s.len());
}
