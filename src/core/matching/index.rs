//! The blocking index in memory: blocking key → persons, and each person's
//! comparable records, packed.
//!
//! It is the only place blocking keys are looked up: the store keeps each
//! person's records with the hashes of their keys (`match_records`), and
//! every process builds this index from them, then follows the store's
//! changes. An inverted key table on disk took a write at a random place
//! per key (about 17 per new person), so that a bulk import's cost per row
//! grew with the registry. Pure: the store fills it
//! ([`BlockIndex::set_person`] per person), the import keeps it current
//! as it writes ([`BlockIndex::put`]).

use super::MatchRecord;
use super::record::{Ids, RecordView, pack_field, take_field};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A key shared by more persons than this is too common to block on.
pub const MAX_BLOCK: usize = 500;

/// A block of at most this many persons is compared whole. From a larger
/// one, only the persons that share a second key with the record are: a
/// person who shares one coarse key (a postcode and a birth year, a
/// surname's sound and a postcode) and nothing else with the record is
/// rarely the same person, and such blocks grow with the registry, so
/// comparing all of them would make the cost of a row grow with it.
/// Measured on dupehell 100k (`registrar eval`): 24 and 32 find the same
/// pairs, 16 misses 7 more of 53,000, 8 misses 425 more; at 1M rows, 16
/// instead of 32 took the import from 573 s to 461 s.
pub const SMALL_BLOCK: usize = 24;

/// At most this many persons are compared from large blocks (more than
/// [`SMALL_BLOCK`] persons) with each record: those sharing the most keys
/// with it, and among them the rarest keys. Two coarse keys that share a
/// part (a postcode with a birth year, a name's sound with the postcode)
/// are shared by more persons the larger the registry grows, so without a
/// bound the persons compared per record, and the cost of a record, grow
/// with the registry. The same person shares many keys with a record, or a
/// rare one (a small block, compared whole), so the bound drops persons
/// that agree on little.
pub const LARGE_BLOCK_KEEP: usize = 32;

/// The persons among `hits` (a person and the size of the block it came
/// from, once per shared key) that are worth comparing: every person from
/// a small block, and of the persons sharing two keys or more, the
/// [`LARGE_BLOCK_KEEP`] sharing the most and rarest. Ascending, once each.
pub fn keep_candidates(mut hits: Vec<(i64, usize)>) -> Vec<i64> {
    hits.sort_unstable();
    let mut out: Vec<i64> = Vec::new();
    // (keys shared, rarity, person) of persons from large blocks only.
    let mut large: Vec<(usize, f64, i64)> = Vec::new();
    let mut i = 0;
    while i < hits.len() {
        let seq = hits[i].0;
        let j = i + hits[i..].iter().take_while(|h| h.0 == seq).count();
        let shared = &hits[i..j];
        if shared.iter().any(|h| h.1 <= SMALL_BLOCK) {
            out.push(seq);
        } else if shared.len() >= 2 {
            let rarity = shared.iter().map(|h| 1.0 / h.1 as f64).sum();
            large.push((shared.len(), rarity, seq));
        }
        i = j;
    }
    if large.len() > LARGE_BLOCK_KEEP {
        large.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
        large.truncate(LARGE_BLOCK_KEEP);
    }
    out.extend(large.iter().map(|l| l.2));
    out.sort_unstable();
    out
}

/// [`keep_candidates`]' choice among the persons of large blocks, from
/// the blocks' ascending lists: of the persons in two lists or more and
/// not in `small` (ascending: kept anyway), the [`LARGE_BLOCK_KEEP`]
/// sharing the most and rarest keys, as `keep_candidates` ranks them (a
/// person's rarity summed over its blocks from the smallest, as there).
fn merge_large(lists: &[&[u32]], small: &[i64]) -> Vec<i64> {
    if lists.len() < 2 {
        return Vec::new();
    }
    let mut at = vec![0usize; lists.len()];
    let mut large: Vec<(usize, f64, i64)> = Vec::new();
    let mut sizes: Vec<usize> = Vec::new();
    while let Some(seq) = lists
        .iter()
        .zip(&at)
        .filter_map(|(l, i)| l.get(*i))
        .min()
        .copied()
    {
        sizes.clear();
        for (l, i) in lists.iter().zip(at.iter_mut()) {
            if l.get(*i) == Some(&seq) {
                sizes.push(l.len());
                *i += 1;
            }
        }
        let seq = i64::from(seq);
        if sizes.len() >= 2 && small.binary_search(&seq).is_err() {
            sizes.sort_unstable();
            let rarity = sizes.iter().map(|n| 1.0 / *n as f64).sum();
            large.push((sizes.len(), rarity, seq));
        }
    }
    if large.len() > LARGE_BLOCK_KEEP {
        large.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
        large.truncate(LARGE_BLOCK_KEEP);
    }
    large.into_iter().map(|l| l.2).collect()
}

/// The persons holding a key, as the index keeps them
/// ([`BlockIndex::held`]).
enum Block<'a> {
    Empty,
    One(u32),
    Many(&'a [u32]),
}

/// Keys are already hashes ([`super::key_hash`]); this only spreads their
/// bits (FNV's low bits are weak) for the table's buckets.
#[derive(Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(*b) ^ (self.0 >> 56);
        }
    }
    fn write_i64(&mut self, n: i64) {
        self.0 = n as u64;
    }
}

type KeyMap<V> = HashMap<i64, V, BuildHasherDefault<KeyHasher>>;

/// A key's persons: one inline (most keys), or a list.
const LIST: u64 = 1 << 63;

/// One stored record: its source and the comparable record, packed as
/// length-prefixed fields in one string ([`pack_field`]; about a sixth of
/// a `MatchRecord`'s memory), read back as slices of it.
#[derive(Debug, Clone, PartialEq)]
struct Packed(Box<str>);

impl Packed {
    fn new(sor: &str, sor_id: &str, r: &MatchRecord) -> Packed {
        Packed::with_sounds(sor, sor_id, r, None)
    }

    /// [`Packed::new`] with the names' sounds when the caller has them
    /// (`phonetic` of the given and family names).
    fn with_sounds(sor: &str, sor_id: &str, r: &MatchRecord, sounds: Option<[&str; 2]>) -> Packed {
        let mut body = String::with_capacity(96);
        pack_field(&mut body, sor);
        pack_field(&mut body, sor_id);
        for f in r.view().fields() {
            pack_field(&mut body, f);
        }
        // The names' sounds, worked out once here instead of at every
        // comparison (by the import's scorer, whose memo of them starts
        // empty with each batch).
        match sounds {
            Some(known) => known.iter().for_each(|s| pack_field(&mut body, s)),
            None => {
                for name in [&r.given, &r.family] {
                    pack_field(&mut body, &super::phonetic(name));
                }
            }
        }
        // Identifiers as long as the record's length can be written (a
        // megabyte of them: a record is a few hundred bytes).
        let mut ids = String::new();
        let mut n = 0;
        for id in &r.ids {
            if body.len() + ids.len() + id.len() > RECORD_MAX {
                break;
            }
            pack_field(&mut ids, id);
            n += 1;
        }
        pack_field(&mut body, &n.to_string());
        body.push_str(&ids);
        let mut out = String::with_capacity(body.len() + 4);
        out.push(len_char(body.len()));
        out.push_str(&body);
        Packed(out.into_boxed_str())
    }

    /// The record at the start of `packed`, as [`Packed::new`] wrote it.
    fn first(packed: &str) -> Stored<'_> {
        let mut rest = Packed::body(packed);
        let sor = take_field(&mut rest);
        let sor_id = take_field(&mut rest);
        let mut f = || take_field(&mut rest);
        let mut rec = RecordView {
            given: f(),
            middle: f(),
            family: f(),
            dob: f(),
            gender: f(),
            tax_id: f(),
            ssn: f(),
            phone: f(),
            email: f(),
            house_number: f(),
            street: f(),
            city: f(),
            postal_code: f(),
            state: f(),
            ids: Ids::default(),
            sounds: None,
        };
        rec.sounds = Some([take_field(&mut rest), take_field(&mut rest)]);
        let n: usize = take_field(&mut rest).parse().unwrap_or(0);
        rec.ids = Ids::Packed { n, fields: rest };
        Stored { sor, sor_id, rec }
    }

    /// The record at the start of `packed` whole, its length and all,
    /// without reading its fields.
    fn raw(packed: &str) -> &str {
        let Some(c) = packed.chars().next() else {
            return "";
        };
        let end = (c.len_utf8() + char_len(c)).min(packed.len());
        packed.get(..end).unwrap_or(packed)
    }

    /// The fields of the record at the start of `packed`, after its length.
    fn body(packed: &str) -> &str {
        let whole = Packed::raw(packed);
        &whole[whole.chars().next().map_or(0, char::len_utf8)..]
    }

    /// The source of the record at the start of `packed`.
    fn source_of(packed: &str) -> (&str, &str) {
        let mut rest = Packed::body(packed);
        (take_field(&mut rest), take_field(&mut rest))
    }

    #[cfg(test)]
    fn stored(&self) -> Stored<'_> {
        Packed::first(&self.0)
    }

    #[cfg(test)]
    fn unpack(&self) -> MatchRecord {
        self.stored().rec.to_record()
    }
}

/// The longest packed record, in bytes: its length is written as one
/// `char`.
const RECORD_MAX: usize = 1 << 20;

/// A record's length as one `char` (the surrogates skipped).
fn len_char(n: usize) -> char {
    let n = n.min(RECORD_MAX);
    let v = if n < 0xD800 { n } else { n + 0x800 };
    char::from_u32(u32::try_from(v).unwrap_or(0)).unwrap_or('\0')
}

/// What [`len_char`] wrote.
fn char_len(c: char) -> usize {
    let v = c as usize;
    if v >= 0xE000 { v - 0x800 } else { v }
}

/// A record read where it is packed: its source and its fields.
#[derive(Clone, Copy)]
struct Stored<'a> {
    sor: &'a str,
    sor_id: &'a str,
    rec: RecordView<'a>,
}

/// A person's records, packed one after the other in one string: one
/// allocation per person, and a person's records side by side in memory
/// when they are compared.
#[derive(Default)]
struct Person(Box<str>);

impl Person {
    /// The records, each still packed: a step per record, whatever its
    /// fields.
    fn raw(&self) -> impl Iterator<Item = &str> {
        let mut rest: &str = &self.0;
        std::iter::from_fn(move || {
            let r = Packed::raw(rest);
            rest = &rest[r.len()..];
            (!r.is_empty()).then_some(r)
        })
    }

    fn iter(&self) -> impl Iterator<Item = Stored<'_>> {
        self.raw().map(Packed::first)
    }

    fn len(&self) -> usize {
        self.raw().count()
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn position(&self, sor: &str, sor_id: &str) -> Option<usize> {
        self.raw()
            .position(|r| Packed::source_of(r) == (sor, sor_id))
    }

    /// The records in order, record `at` replaced by `with` (`None`:
    /// dropped); `at` past the end: `with` added at the end.
    fn with(&self, at: usize, with: Option<&Packed>) -> Person {
        let mut out = String::with_capacity(self.0.len() + with.map_or(0, |p| p.0.len()));
        let mut done = false;
        for (j, r) in self.raw().enumerate() {
            if j == at {
                done = true;
                if let Some(p) = with {
                    out.push_str(&p.0);
                }
            } else {
                out.push_str(r);
            }
        }
        if !done && let Some(p) = with {
            out.push_str(&p.0);
        }
        Person(out.into_boxed_str())
    }
}

/// A record for a person, packed once with its blocking keys' hashes: the
/// import adds it to its batch's own index at once, and to the registry's
/// at the batch's end ([`BlockIndex::add`]).
#[derive(Debug, Clone)]
pub struct Addition {
    seq: i64,
    packed: Packed,
    hashes: Vec<i64>,
}

impl Addition {
    pub fn new(seq: i64, sor: &str, sor_id: &str, rec: &MatchRecord, keys: &[String]) -> Addition {
        Addition::with_sounds(seq, sor, sor_id, rec, keys, None)
    }

    /// [`Addition::new`] with the names' sounds when the caller has them.
    pub fn with_sounds(
        seq: i64,
        sor: &str,
        sor_id: &str,
        rec: &MatchRecord,
        keys: &[String],
        sounds: Option<[&str; 2]>,
    ) -> Addition {
        Addition {
            seq,
            packed: Packed::with_sounds(sor, sor_id, rec, sounds),
            hashes: keys.iter().map(|k| super::key_hash(k)).collect(),
        }
    }

    /// The same record for person `seq`.
    pub fn for_person(&self, seq: i64) -> Addition {
        Addition {
            seq,
            ..self.clone()
        }
    }

    /// The person the record is for.
    pub fn seq(&self) -> i64 {
        self.seq
    }

    /// The hashes of the record's blocking keys, in the keys' order.
    pub fn hashes(&self) -> &[i64] {
        &self.hashes
    }
}

/// Blocking keys → persons, and persons → their comparable records.
#[derive(Default)]
pub struct BlockIndex {
    keys: KeyMap<u64>,
    lists: Vec<Vec<u32>>,
    /// Free slots of `lists`, from keys down to one person again.
    free: Vec<u32>,
    records: Vec<Person>,
    /// A write could not be mirrored ([`BlockIndex::fits`]): the index is
    /// behind the store and must not be read.
    behind: bool,
    /// Persons given as candidates so far (the work of scoring). Atomic:
    /// the import's scorer thread reads the index beside its writer.
    given: std::sync::atomic::AtomicU64,
}

impl BlockIndex {
    pub fn new() -> BlockIndex {
        BlockIndex::default()
    }

    /// An empty index with room for persons up to seq `last` and for
    /// `keys` distinct keys: loaded without its tables growing (a growing
    /// table holds its old and new halves at once, a third more memory at
    /// the peak).
    pub fn with_capacity(last: i64, keys: usize) -> BlockIndex {
        let mut ix = BlockIndex::default();
        ix.records
            .reserve(usize::try_from(last).unwrap_or(0).saturating_add(1));
        ix.keys.reserve(keys);
        ix
    }

    /// Room made at once for persons up to seq `last` and for `keys` more
    /// distinct keys: a load into an empty registry knows how many rows
    /// come. A table grown by doubling moves every key at each step and
    /// holds its old and new tables meanwhile (at a million rows, the
    /// last step moved 3.7 million keys in the middle of the import).
    /// Only a hint: room that cannot be had is left to the tables' own
    /// growth, as without it.
    pub fn reserve(&mut self, last: u64, keys: u64) {
        let more = |n: u64, held: usize| usize::try_from(n).map_or(0, |n| n.saturating_sub(held));
        let _ = self
            .records
            .try_reserve(more(last.saturating_add(1), self.records.len()));
        let _ = self.keys.try_reserve(more(keys, 0));
    }

    /// Distinct blocking keys held.
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// Empty again, keeping the room its tables have; `seqs`: the persons
    /// it holds records of (only theirs are cleared).
    pub fn clear(&mut self, seqs: impl IntoIterator<Item = i64>) {
        for seq in seqs {
            if let Some(p) = usize::try_from(seq)
                .ok()
                .and_then(|s| self.records.get_mut(s))
            {
                *p = Person::default();
            }
        }
        debug_assert!(
            self.records.iter().all(Person::is_empty),
            "a person left out"
        );
        self.keys.clear();
        self.lists.clear();
        self.free.clear();
        self.behind = false;
        self.given.store(0, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether a write could not be mirrored: then the index must be
    /// dropped and the store read instead.
    pub fn is_behind(&self) -> bool {
        self.behind
    }

    /// Persons given as candidates by [`BlockIndex::candidates`] so far.
    pub fn candidates_given(&self) -> u64 {
        self.given.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Persons with at least one record.
    pub fn persons(&self) -> usize {
        self.records.iter().filter(|r| !r.is_empty()).count()
    }

    /// Whether a person's seq can be held (the lists keep 32 bits).
    pub fn fits(seq: i64) -> bool {
        u32::try_from(seq).is_ok()
    }

    /// Person `seq`'s place, made if new; `None` (and the index marked
    /// behind) when the seq cannot be held.
    fn slot(&mut self, seq: i64) -> Option<u32> {
        let Ok(s) = u32::try_from(seq) else {
            self.behind = true;
            return None;
        };
        if self.records.len() <= s as usize {
            self.records.resize_with(s as usize + 1, Person::default);
        }
        Some(s)
    }

    /// The persons sharing a blocking key with `keys` ([`keep_candidates`]):
    /// keys of more than [`MAX_BLOCK`] persons skipped, larger blocks than
    /// [`SMALL_BLOCK`] only for persons sharing two keys. Ascending.
    ///
    /// The answer [`keep_candidates`] gives for every key's persons, found
    /// without sorting them all: each key's list is ascending already, so
    /// the large blocks' lists are merged (a few lists of up to
    /// [`MAX_BLOCK`] persons; sorting them together was a tenth of the
    /// import scorer's time).
    pub fn candidates(&self, keys: &[String]) -> Vec<i64> {
        self.candidates_hashed(keys.iter().map(|k| super::key_hash(k)))
    }

    /// [`BlockIndex::candidates`] of keys already hashed
    /// ([`super::key_hash`]): the import's rows carry their keys' hashes.
    pub fn candidates_hashed(&self, hashes: impl IntoIterator<Item = i64>) -> Vec<i64> {
        let mut out: Vec<i64> = Vec::new();
        let mut large: Vec<&[u32]> = Vec::new();
        for h in hashes {
            match self.held(h) {
                Block::Empty => {}
                Block::One(seq) => out.push(i64::from(seq)),
                Block::Many(persons) => {
                    if persons.len() <= SMALL_BLOCK {
                        out.extend(persons.iter().map(|s| i64::from(*s)));
                    } else if persons.len() <= MAX_BLOCK {
                        large.push(persons);
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        let kept = merge_large(&large, &out);
        out.extend(kept);
        out.sort_unstable();
        self.given
            .fetch_add(out.len() as u64, std::sync::atomic::Ordering::Relaxed);
        out
    }

    /// The persons holding key `hash`, each pushed onto `hits` with the
    /// size of its block as `size(hash, size here)` says (the whole
    /// registry's, when this index holds part of it); none when that
    /// exceeds [`MAX_BLOCK`].
    pub fn hits_of(
        &self,
        hash: i64,
        size: impl Fn(i64, usize) -> usize,
        hits: &mut Vec<(i64, usize)>,
    ) {
        self.holding(hash, |persons| {
            // A key held by nobody here costs no look at the other layers.
            if persons.is_empty() {
                return;
            }
            let n = size(hash, persons.len());
            if n <= MAX_BLOCK {
                hits.extend(persons.iter().map(|s| (i64::from(*s), n)));
            }
        })
    }

    /// The persons holding key `hash`: one held inline, or a list.
    fn held(&self, hash: i64) -> Block<'_> {
        match self.keys.get(&hash) {
            None => Block::Empty,
            Some(&v) if v & LIST == 0 => Block::One(v as u32),
            Some(&v) => Block::Many(&self.lists[(v & !LIST) as usize]),
        }
    }

    /// `f` of the persons holding key `hash` ([`BlockIndex::held`]).
    fn holding<R>(&self, hash: i64, f: impl FnOnce(&[u32]) -> R) -> R {
        match self.held(hash) {
            Block::Empty => f(&[]),
            Block::One(seq) => f(&[seq]),
            Block::Many(persons) => f(persons),
        }
    }

    /// How many persons hold key `hash`.
    pub fn block_len(&self, hash: i64) -> usize {
        self.holding(hash, <[u32]>::len)
    }

    /// Read every cache line of each of `seqs`' records, one after the
    /// other without waiting: each is a read from anywhere in memory (the
    /// person's entry, then its records), and comparing them one person
    /// at a time waited for each in turn (a fifth of the import scorer's
    /// time). The loads overlap here; the comparisons then find them in
    /// the cache. A person with two or three records spans several lines:
    /// its first alone left the others to be waited for one by one
    /// (measured alternately on the 1M import: 4.6 % less CPU when every
    /// line is read). Returns what it read, for the caller to keep
    /// (`std::hint::black_box`), so that the reads are made. Asking with
    /// prefetch instructions instead, a row ahead of its comparisons, was
    /// no faster.
    pub fn warm(&self, seqs: &[i64]) -> u8 {
        seqs.iter()
            .filter_map(|s| self.person(*s))
            .map(|p| {
                let b = p.0.as_bytes();
                b.iter().step_by(64).chain(b.last()).fold(0, |a, x| a ^ x)
            })
            .fold(0, |a, b| a ^ b)
    }

    /// How many records person `seq` has.
    pub fn record_count(&self, seq: i64) -> usize {
        self.person(seq).map_or(0, Person::len)
    }

    /// Person `seq`'s records into `out` (emptied first), in order, as
    /// slices of the packed ones, to be compared where they lie
    /// ([`super::levels_of_records`]).
    pub fn views_into<'s>(&'s self, seq: i64, out: &mut Vec<RecordView<'s>>) {
        out.clear();
        self.views_after(seq, out);
    }

    /// Person `seq`'s records appended to `out`.
    pub fn views_after<'s>(&'s self, seq: i64, out: &mut Vec<RecordView<'s>>) {
        if let Some(p) = self.person(seq) {
            for r in p.raw() {
                out.push(Packed::first(r).rec);
            }
        }
    }

    /// Person `seq`'s records: (sor, sor_id, record).
    pub fn records(&self, seq: i64) -> Vec<(String, String, MatchRecord)> {
        self.person(seq)
            .into_iter()
            .flat_map(Person::iter)
            .map(|r| (r.sor.to_string(), r.sor_id.to_string(), r.rec.to_record()))
            .collect()
    }

    fn person(&self, seq: i64) -> Option<&Person> {
        usize::try_from(seq).ok().and_then(|i| self.records.get(i))
    }

    /// As the store's `put_record`: `rec` (with its blocking `keys`) is the
    /// record `(sor, sor_id)` sent for person `seq`, replaced in place when
    /// the person has it, added otherwise. `false` when `seq` cannot be
    /// held ([`BlockIndex::fits`]); nothing changes then.
    pub fn put(
        &mut self,
        seq: i64,
        sor: &str,
        sor_id: &str,
        rec: &MatchRecord,
        keys: &[String],
    ) -> bool {
        self.add(&Addition::new(seq, sor, sor_id, rec, keys))
    }

    /// Add `a` to its person: as [`BlockIndex::put`] with the record and
    /// keys `a` was made from. `false` when the seq cannot be held.
    /// A replaced record may take keys with it: the difference is applied.
    /// An added record only adds keys; linking is idempotent, so the
    /// person's other records need not be read.
    pub fn add(&mut self, a: &Addition) -> bool {
        let Some(s) = self.slot(a.seq) else {
            return false;
        };
        let i = s as usize;
        let (sor, sor_id) = Packed::source_of(&a.packed.0);
        match self.records[i].position(sor, sor_id) {
            Some(j) => {
                let before = self.key_hashes(i);
                self.records[i] = self.records[i].with(j, Some(&a.packed));
                let after = self.key_hashes(i);
                self.key_diff(s, &before, &after);
            }
            None => {
                self.records[i] = self.records[i].with(usize::MAX, Some(&a.packed));
                for k in &a.hashes {
                    self.link(*k, s);
                }
            }
        }
        true
    }

    /// Person `seq` as the store now holds it: its records and the hashes
    /// of their blocking keys (loading, or a refresh after another
    /// connection's write). What the index had for it is replaced. `false`
    /// when `seq` cannot be held ([`BlockIndex::fits`]).
    pub fn set_person<'a>(
        &mut self,
        seq: i64,
        records: impl IntoIterator<Item = (&'a str, &'a str, &'a MatchRecord)>,
        keys: &[i64],
    ) -> bool {
        let Some(s) = self.slot(seq) else {
            return false;
        };
        let i = s as usize;
        if !self.records[i].is_empty() {
            for k in self.key_hashes(i) {
                self.unlink(k, s);
            }
        }
        let mut all = String::new();
        for (sor, id, r) in records {
            all.push_str(&Packed::new(sor, id, r).0);
        }
        self.records[i] = Person(all.into_boxed_str());
        for k in keys {
            self.link(*k, s);
        }
        true
    }

    /// Person `seq` is gone from the store (merged away, deleted).
    pub fn remove_person(&mut self, seq: i64) {
        self.set_person(seq, [], &[]);
    }

    /// Every person holding the blocking key whose hash is `key`, ascending
    /// (the search box's exact lookups: tax id, document, phone).
    pub fn block(&self, key: i64) -> Vec<i64> {
        self.holding(key, |persons| {
            persons.iter().map(|s| i64::from(*s)).collect()
        })
    }

    /// As the store's `remove_record`: drop `(sor, sor_id)` from person `seq`.
    pub fn remove(&mut self, seq: i64, sor: &str, sor_id: &str) {
        let Some(s) = self.slot(seq) else {
            return;
        };
        let i = s as usize;
        let before = self.key_hashes(i);
        if let Some(j) = self.records[i].position(sor, sor_id) {
            self.records[i] = self.records[i].with(j, None);
        }
        let after = self.key_hashes(i);
        self.key_diff(s, &before, &after);
    }

    /// Sorted, distinct key hashes of person `i`'s records.
    fn key_hashes(&self, i: usize) -> Vec<i64> {
        let mut out: Vec<i64> = Vec::new();
        for p in self.records[i].iter() {
            let keys = p.rec.to_record().blocking_keys();
            out.extend(keys.iter().map(|k| super::key_hash(k)));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    fn key_diff(&mut self, seq: u32, before: &[i64], after: &[i64]) {
        for k in before.iter().filter(|k| after.binary_search(k).is_err()) {
            self.unlink(*k, seq);
        }
        for k in after.iter().filter(|k| before.binary_search(k).is_err()) {
            self.link(*k, seq);
        }
    }

    fn link(&mut self, key: i64, seq: u32) {
        // One hash lookup for the key, whatever it holds.
        let v = match self.keys.entry(key) {
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(u64::from(seq));
                return;
            }
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
        };
        if *v & LIST == 0 {
            let one = *v as u32;
            if one != seq {
                let list = if one < seq {
                    vec![one, seq]
                } else {
                    vec![seq, one]
                };
                let slot = match self.free.pop() {
                    Some(f) => {
                        self.lists[f as usize] = list;
                        f
                    }
                    None => {
                        self.lists.push(list);
                        (self.lists.len() - 1) as u32
                    }
                };
                *v = LIST | u64::from(slot);
            }
            return;
        }
        // Kept ascending. A load in seq order, and a new person, only
        // append: the list's last entry says so without a search through
        // it (a common key's list spans many cache lines).
        let list = &mut self.lists[(*v & !LIST) as usize];
        match list.last() {
            Some(&last) if last < seq => list.push(seq),
            _ => {
                if let Err(at) = list.binary_search(&seq) {
                    list.insert(at, seq);
                }
            }
        }
    }

    fn unlink(&mut self, key: i64, seq: u32) {
        match self.keys.get(&key).copied() {
            None => {}
            Some(v) if v == u64::from(seq) => {
                self.keys.remove(&key);
            }
            Some(v) if v & LIST == 0 => {}
            Some(v) => {
                let slot = (v & !LIST) as usize;
                let list = &mut self.lists[slot];
                if let Ok(at) = list.binary_search(&seq) {
                    list.remove(at);
                }
                if list.len() == 1 {
                    let only = list[0];
                    self.lists[slot] = Vec::new();
                    self.free.push(slot as u32);
                    self.keys.insert(key, u64::from(only));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(given: &str, family: &str, dob: &str, postal: &str) -> MatchRecord {
        MatchRecord {
            given: given.into(),
            family: family.into(),
            dob: dob.into(),
            postal_code: postal.into(),
            ..Default::default()
        }
    }

    fn put(ix: &mut BlockIndex, seq: i64, sor_id: &str, r: &MatchRecord) {
        assert!(ix.put(seq, "S", sor_id, r, &r.blocking_keys()));
    }

    #[test]
    fn sounds_given_pack_as_sounds_worked_out() {
        let r = rec("Olena", "Kovalenko", "1986-04-12", "01001");
        let (g, f) = (
            super::super::phonetic(&r.given),
            super::super::phonetic(&r.family),
        );
        assert_eq!(
            Packed::with_sounds("s", "1", &r, Some([&g, &f])),
            Packed::new("s", "1", &r)
        );
        assert_ne!(
            Packed::with_sounds("s", "1", &r, Some([&f, &g])),
            Packed::new("s", "1", &r),
            "the sounds are packed where they were given"
        );
    }

    #[test]
    fn a_record_packs_and_unpacks_whole() {
        let mut r = rec("ann", "lee", "19800101", "2000");
        r.ids = vec!["passport:AB1".into(), "x".into()];
        r.email = "a@b.c".into();
        r.street = "ünïcode street".into();
        let p = Packed::new("sor", "id-1", &r);
        assert_eq!((p.stored().sor, p.stored().sor_id), ("sor", "id-1"));
        assert_eq!(p.unpack(), r);
        // Lengths of two and three bytes, and past the most a field keeps
        // (cut at a character's boundary).
        let mut long = rec(&"x".repeat(300), &"é".repeat(3000), "19800101", "");
        long.ids = vec!["z".repeat(200)];
        assert_eq!(Packed::new("s", "i", &long).unpack(), long);
        let huge = rec(&"é".repeat(40_000), "lee", "19800101", "");
        let cut = Packed::new("s", "i", &huge).unpack();
        assert_eq!(
            cut.given,
            "é".repeat(super::super::record::PACKED_FIELD_MAX / 2)
        );
        assert_eq!((cut.family.as_str(), cut.dob.as_str()), ("lee", "19800101"));
        // A record longer than a char below the surrogates can count.
        let mut wide = rec(&"é".repeat(40_000), &"é".repeat(40_000), "19800101", "");
        wide.ids = vec!["passport:1".into()];
        let p = Packed::new("s", "i", &wide);
        assert!(p.0.len() > 0xE000);
        let got = p.unpack();
        assert_eq!(
            (got.dob.as_str(), got.ids.as_slice()),
            ("19800101", &wide.ids[..])
        );
        let two = Person(format!("{}{}", p.0, Packed::new("s", "j", &long).0).into_boxed_str());
        assert_eq!((two.len(), two.position("s", "j")), (2, Some(1)));
        let empty = MatchRecord::default();
        assert_eq!(Packed::new("", "", &empty).unpack(), empty);
    }

    /// A person's records packed side by side read back one by one, ids
    /// and all, and replaced, dropped and added in place.
    #[test]
    fn a_persons_records_pack_side_by_side() {
        let mut a = rec("ann", "lee", "19800101", "2000");
        a.ids = vec!["passport:AB1".into(), "x".into()];
        let b = rec("bob", "ray", "19700505", "3000");
        let mut c = rec("cy", "é", "19600606", "");
        c.ids = vec!["z".repeat(300)];
        let packed =
            [("s", "1", &a), ("s", "2", &b), ("t", "1", &c)].map(|(s, i, r)| Packed::new(s, i, r));
        let person = Person(
            packed
                .iter()
                .map(|p| &*p.0)
                .collect::<String>()
                .into_boxed_str(),
        );
        let read = |p: &Person| -> Vec<(String, MatchRecord)> {
            p.iter()
                .map(|r| (format!("{}/{}", r.sor, r.sor_id), r.rec.to_record()))
                .collect()
        };
        let all = |v: &[(&str, &MatchRecord)]| -> Vec<(String, MatchRecord)> {
            v.iter()
                .map(|(k, r)| (k.to_string(), (*r).clone()))
                .collect()
        };
        assert_eq!(read(&person), all(&[("s/1", &a), ("s/2", &b), ("t/1", &c)]));
        assert_eq!(person.position("t", "1"), Some(2));
        assert_eq!(person.position("t", "2"), None);
        let b2 = Packed::new("s", "2", &c);
        assert_eq!(
            read(&person.with(1, Some(&b2))),
            all(&[("s/1", &a), ("s/2", &c), ("t/1", &c)])
        );
        assert_eq!(
            read(&person.with(0, None)),
            all(&[("s/2", &b), ("t/1", &c)])
        );
        assert_eq!(
            read(&person.with(usize::MAX, Some(&packed[0]))),
            all(&[("s/1", &a), ("s/2", &b), ("t/1", &c), ("s/1", &a)])
        );
        assert!(Person::default().is_empty() && read(&Person::default()).is_empty());
    }

    #[test]
    fn persons_sharing_a_key_are_candidates_once() {
        let mut ix = BlockIndex::new();
        let a = rec("ann", "lee", "19800101", "2000");
        put(&mut ix, 1, "1", &a);
        put(&mut ix, 2, "2", &a);
        put(&mut ix, 3, "3", &rec("bob", "ray", "19700505", "3000"));
        assert_eq!(ix.candidates(&a.blocking_keys()), vec![1, 2]);
        assert_eq!(ix.record_count(1), 1);
        let mut views = Vec::new();
        ix.views_into(2, &mut views);
        let got: Vec<MatchRecord> = views.iter().map(|v| v.to_record()).collect();
        assert_eq!(got, vec![a]);
        // The room is emptied first; a person unknown gives nothing.
        ix.views_into(3, &mut views);
        assert_eq!(views.len(), 1);
        assert_eq!(views[0].given, "bob");
        ix.views_into(9, &mut views);
        assert!(views.is_empty());
    }

    #[test]
    fn a_replaced_record_loses_its_old_keys_and_a_removed_one_all() {
        let mut ix = BlockIndex::new();
        let a = rec("ann", "lee", "19800101", "2000");
        let b = rec("bob", "ray", "19700505", "3000");
        put(&mut ix, 7, "1", &a);
        put(&mut ix, 7, "1", &b);
        assert_eq!(ix.record_count(7), 1);
        assert!(ix.candidates(&a.blocking_keys()).is_empty());
        assert_eq!(ix.candidates(&b.blocking_keys()), vec![7]);
        // A second record keeps the keys the two share.
        put(&mut ix, 7, "2", &b);
        ix.remove(7, "S", "1");
        assert_eq!(ix.candidates(&b.blocking_keys()), vec![7]);
        ix.remove(7, "S", "2");
        assert!(ix.candidates(&b.blocking_keys()).is_empty());
        assert_eq!(ix.persons(), 0);
    }

    /// A key's persons stay ascending whatever order they gain it in (a
    /// record linked to an older person comes after a newer one): each is
    /// found again to be removed.
    #[test]
    fn a_keys_persons_stay_ascending_whatever_order_they_come_in() {
        let mut ix = BlockIndex::new();
        let a = rec("ann", "lee", "19800101", "2000");
        for seq in [5, 3, 9, 1, 7] {
            put(&mut ix, seq, &seq.to_string(), &a);
        }
        assert_eq!(ix.candidates(&a.blocking_keys()), vec![1, 3, 5, 7, 9]);
        for seq in [5, 1, 9] {
            ix.remove(seq, "S", &seq.to_string());
        }
        assert_eq!(ix.candidates(&a.blocking_keys()), vec![3, 7]);
        ix.remove(7, "S", "7");
        assert_eq!(ix.candidates(&a.blocking_keys()), vec![3]);
        assert_eq!(ix.persons(), 1);
    }

    #[test]
    fn lists_shrink_back_to_one_person_and_their_slots_are_reused() {
        let mut ix = BlockIndex::new();
        let a = rec("ann", "lee", "19800101", "2000");
        for seq in 1..=3 {
            put(&mut ix, seq, &seq.to_string(), &a);
        }
        ix.remove(2, "S", "2");
        ix.remove(3, "S", "3");
        assert_eq!(ix.candidates(&a.blocking_keys()), vec![1]);
        assert!(!ix.free.is_empty());
        put(&mut ix, 4, "4", &a);
        assert_eq!(ix.candidates(&a.blocking_keys()), vec![1, 4]);
    }

    #[test]
    fn blocks_follow_the_stores_limits() {
        let mut ix = BlockIndex::new();
        // One shared coarse key (postcode + year) among many persons: a
        // large block gives only persons sharing a second key.
        let q = rec("zed", "quux", "19800101", "2000");
        for seq in 1..=(SMALL_BLOCK as i64 + 5) {
            put(
                &mut ix,
                seq,
                "x",
                &rec("p", &format!("f{seq}"), "19800707", "2000"),
            );
        }
        assert!(ix.candidates(&q.blocking_keys()).is_empty());
        // Past MAX_BLOCK a key is skipped even for a person sharing it.
        let mut ix = BlockIndex::new();
        for seq in 1..=(MAX_BLOCK as i64 + 1) {
            put(&mut ix, seq, "x", &rec("ann", "lee", "19800101", ""));
        }
        assert!(
            ix.candidates(&rec("ann", "lee", "19800101", "").blocking_keys())
                .is_empty()
        );
        assert!(!BlockIndex::fits(i64::from(u32::MAX) + 1));
        assert!(!ix.is_behind());
        assert!(!ix.put(i64::from(u32::MAX) + 1, "S", "x", &q, &[]));
        assert!(ix.is_behind());
    }

    #[test]
    fn large_blocks_give_the_persons_sharing_the_most_and_rarest_keys() {
        // 1: one key, large block: dropped. 2: one key, small block: kept.
        // 3: two keys, both large: kept. 4: a large and a small one: kept.
        let big = SMALL_BLOCK + 1;
        let hits = vec![(3, big), (1, big), (2, 1), (4, big), (3, big), (4, 2)];
        assert_eq!(keep_candidates(hits), vec![2, 3, 4]);
        assert!(keep_candidates(Vec::new()).is_empty());
        // Many persons sharing two coarse keys: the bound keeps those who
        // share three, then those whose shared keys are rarest.
        let mut hits = Vec::new();
        for seq in 0..100 {
            hits.push((seq, 400));
            hits.push((seq, if seq == 99 { 30 } else { 400 }));
        }
        for seq in 50..55 {
            hits.push((seq, 400));
        }
        hits.push((1000, 3));
        let kept = keep_candidates(hits);
        assert_eq!(kept.len(), LARGE_BLOCK_KEEP + 1);
        assert!(kept.contains(&1000));
        for must in [50, 51, 52, 53, 54, 99] {
            assert!(kept.contains(&must), "{must} should be kept: {kept:?}");
        }
        assert!(kept.windows(2).all(|w| w[0] < w[1]));
    }

    /// The merged lists give what [`keep_candidates`] gives for every
    /// key's persons: persons in small and large blocks, in many large
    /// ones, in one, in blocks past the limit, and more sharing two large
    /// blocks than the bound keeps.
    #[test]
    fn candidates_are_keep_candidates_of_every_keys_persons() {
        let mut ix = BlockIndex::new();
        let q = rec("ann", "lee", "19800101", "2000");
        let keys = q.blocking_keys();
        // Person seq holds key i when the walk says so; blocks then range
        // from one person to past MAX_BLOCK.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut holds: Vec<Vec<String>> = vec![Vec::new(); 700];
        for (i, k) in keys.iter().enumerate() {
            let share = [1, 3, 20, 40, 300, 690, 2, 60][i % 8];
            for (seq, h) in holds.iter_mut().enumerate().skip(1) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                if (x % 700) < share as u64 || (i == 0 && seq % 97 == 0) {
                    h.push(k.clone());
                }
            }
        }
        let other = rec("zed", "quux", "19700505", "9999");
        for (seq, h) in holds.iter().enumerate().skip(1) {
            if !h.is_empty() {
                assert!(ix.put(seq as i64, "S", &seq.to_string(), &other, h));
            }
        }
        let reference = |keys: &[String]| {
            let mut hits = Vec::new();
            for k in keys {
                ix.hits_of(crate::core::matching::key_hash(k), |_, own| own, &mut hits);
            }
            keep_candidates(hits)
        };
        // Every subset of the keys.
        let n = keys.len().min(10);
        assert!(n >= 5, "a record has keys: {n}");
        for mask in 0u32..(1 << n) {
            let some: Vec<String> = (0..n)
                .filter(|i| mask >> i & 1 == 1)
                .map(|i| keys[i].clone())
                .collect();
            assert_eq!(ix.candidates(&some), reference(&some), "keys {mask:b}");
        }
        let all = ix.candidates(&keys);
        assert!(
            all.len() > LARGE_BLOCK_KEEP,
            "large blocks give persons: {}",
            all.len()
        );
        // A key given twice counts twice, as in the hits.
        let twice: Vec<String> = [keys[4].clone(), keys[4].clone()].into();
        assert_eq!(ix.candidates(&twice), reference(&twice));
    }

    #[test]
    fn a_bulk_load_answers_as_records_put_one_by_one() {
        let rs = [
            rec("ann", "lee", "19800101", "2000"),
            rec("anne", "lee", "19800101", "2000"),
            rec("bob", "ray", "19700505", "2000"),
        ];
        let mut one = BlockIndex::new();
        put(&mut one, 1, "a", &rs[0]);
        put(&mut one, 1, "b", &rs[1]);
        put(&mut one, 2, "c", &rs[2]);
        // As the store loads it: each person's records with the hashes of
        // their keys, sorted and distinct.
        let hashes = |rs: &[&MatchRecord]| {
            let mut h: Vec<i64> = rs
                .iter()
                .flat_map(|r| r.blocking_keys())
                .map(|k| crate::core::matching::key_hash(&k))
                .collect();
            h.sort_unstable();
            h.dedup();
            h
        };
        let mut bulk = BlockIndex::new();
        assert!(bulk.set_person(
            1,
            [("S", "a", &rs[0]), ("S", "b", &rs[1])],
            &hashes(&[&rs[0], &rs[1]])
        ));
        assert!(bulk.set_person(2, [("S", "c", &rs[2])], &hashes(&[&rs[2]])));
        for r in &rs {
            assert_eq!(
                bulk.candidates(&r.blocking_keys()),
                one.candidates(&r.blocking_keys())
            );
        }
        assert_eq!(bulk.records(1), one.records(1));
        // A bulk-loaded index takes writes like any other.
        put(&mut bulk, 2, "c", &rs[0]);
        put(&mut one, 2, "c", &rs[0]);
        assert_eq!(
            bulk.candidates(&rs[2].blocking_keys()),
            one.candidates(&rs[2].blocking_keys())
        );
        assert_eq!(bulk.candidates(&rs[0].blocking_keys()), vec![1, 2]);
        // A refresh replaces a person whole; a person gone leaves no key.
        assert!(bulk.set_person(1, [("S", "c", &rs[2])], &hashes(&[&rs[2]])));
        assert_eq!(bulk.candidates(&rs[1].blocking_keys()), vec![2]);
        assert_eq!(bulk.candidates(&rs[2].blocking_keys()), vec![1]);
        bulk.remove_person(2);
        assert_eq!(bulk.candidates(&rs[0].blocking_keys()), Vec::<i64>::new());
        assert_eq!(bulk.candidates(&rs[2].blocking_keys()), vec![1]);
        let k = crate::core::matching::key_hash(&rs[2].blocking_keys()[0]);
        assert_eq!(bulk.block(k), vec![1]);
        assert_eq!(bulk.record_count(2), 0);
    }
}
