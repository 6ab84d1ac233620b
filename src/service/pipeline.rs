//! The import on both cores: a scorer thread scores the next batch's rows
//! against the registry's blocking index while the writer decides and
//! writes this batch's, and the writer completes each row's candidates
//! with the records added since the scorer's snapshot.
//!
//! The registry's index is only read during a batch, by both threads. The
//! batch's additions go to a small index of their own ([`Layers::cur`]),
//! and into the registry's at the batch's end, when the scorer is done.
//! The scorer's scores for a row predate the previous batch's additions
//! too ([`Layers::prev`]), already in the registry's index by then.
//!
//! So a row is compared with:
//! - the persons the index gave the scorer, over their records then;
//! - the persons who gained a record since (in this batch or the one
//!   before) and share a blocking key with the row through one, each key's
//!   block counted as it is now ([`keep_candidates`]'s rules);
//! - and every record a candidate gained since.
//!
//! The scorer only compares (field by field, the costly part); the writer
//! weighs the comparisons with the model and term frequencies of the
//! moment it decides the row, as a row scored alone would be. Everything
//! is deterministic: the scorer reads an index nobody writes meanwhile.

use super::Result;
use super::idmatch::{self, Attributes, CANDIDATE_LIMIT, Candidate, Keyed, Lookup};
use crate::core::matching::index::{Addition, BlockIndex, KeyHasher, keep_candidates};
use crate::core::matching::{self, PackedLevels, Params, Room};
use crate::store::matching::{SourcedRecord, SqlTf};
use rusqlite::Connection;

/// What the scorer found for one row: its candidates and how each of
/// their records compares with it.
pub(crate) struct Prescored {
    /// The candidate persons, ascending, each with where its records'
    /// levels begin in `levels` and how many there are.
    found: Vec<(i64, usize, usize)>,
    levels: Vec<PackedLevels>,
}

/// Compare `rec` with its candidates in `index`, every record of each.
pub(crate) fn prescore(index: &BlockIndex, rec: &Keyed) -> Prescored {
    prescore_in(index, rec, &mut Room::default())
}

/// [`prescore`] with `room` kept from row to row.
fn prescore_in<'i>(index: &'i BlockIndex, rec: &Keyed, room: &mut Room<'i>) -> Prescored {
    let mut levels = Vec::new();
    let row = rec.view();
    let sigs = matching::Sigs::of(&row);
    let seqs = index.candidates_hashed(rec.key_hashes().iter().copied());
    std::hint::black_box(index.warm(&seqs));
    let found = matching::compare_persons(index, &row, &sigs, seqs, room, |l| {
        levels.push(matching::pack_levels(&l));
    });
    Prescored { found, levels }
}

/// The scorer's part: [`prescore`] each of `rows` (`None` where there is
/// nothing to score) against `index`.
pub(crate) fn prescore_all<'r>(
    index: &BlockIndex,
    rows: impl Iterator<Item = Option<&'r Keyed>>,
) -> Vec<Option<Prescored>> {
    let mut room = Room::default();
    rows.map(|r| r.map(|rec| prescore_in(index, rec, &mut room)))
        .collect()
}

/// A batch's additions: the records, as an index of their own, and the
/// persons who gained one. Most candidates gained nothing: asking the set
/// is a look in a table of a batch's size, not in the index's table of
/// every person (a cache miss per candidate, 6 % of the writer's time).
#[derive(Default)]
pub(crate) struct Gained {
    pub index: BlockIndex,
    seqs: std::collections::HashSet<i64, std::hash::BuildHasherDefault<KeyHasher>>,
}

impl Gained {
    pub fn add(&mut self, a: &Addition) {
        self.index.add(a);
        self.seqs.insert(a.seq());
    }

    /// Empty again, keeping the room its tables grew to: the next batch
    /// fills it as much (growing them from nothing, every batch, was a
    /// third of the writer's index work: tables rehashed, a table of
    /// every person zeroed).
    pub fn clear(&mut self) {
        self.index.clear(self.seqs.drain());
    }

    /// How many records person `seq` gained.
    pub fn record_count(&self, seq: i64) -> usize {
        if self.seqs.contains(&seq) {
            self.index.record_count(seq)
        } else {
            0
        }
    }
}

/// The registry's index as the writer sees it during a batch: read-only,
/// with the batch's additions beside it.
pub(crate) struct Layers<'a> {
    pub base: &'a BlockIndex,
    /// The previous batch's additions (in `base` already) when the row's
    /// scores predate them.
    pub prev: Option<&'a Gained>,
    /// This batch's additions, not yet in `base`.
    pub cur: Gained,
    /// The same, in order, for `base` at the batch's end.
    pub added: Vec<Addition>,
    /// The scorer's comparisons of the row being decided; `None`:
    /// compared now, against `base`.
    pub row: Option<Prescored>,
    /// Persons compared with the rows so far.
    pub compared: u64,
    /// Their records compared with the rows so far (a person gathers a
    /// record for each duplicate linked to it).
    pub records: u64,
    /// The level weights of the batch's model (it changes only between
    /// batches).
    weights: matching::Weights,
}

impl<'a> Layers<'a> {
    /// `cur`: an empty [`Gained`] (one emptied keeps its room); `params`:
    /// the batch's model, which every row's `find` is given.
    pub fn new(
        base: &'a BlockIndex,
        prev: Option<&'a Gained>,
        cur: Gained,
        params: &Params,
    ) -> Layers<'a> {
        debug_assert!(cur.seqs.is_empty(), "a batch's additions start empty");
        Layers {
            base,
            prev,
            cur,
            added: Vec::new(),
            row: None,
            compared: 0,
            records: 0,
            weights: matching::Weights::of(params),
        }
    }

    /// The persons who gained a record since the scores (`prev` when
    /// given, and `cur`) sharing a key with `hashes` (the keys' [`matching::key_hash`]es), each key's block
    /// counted as it is now.
    fn gained(&self, hashes: &[i64], prev: Option<&Gained>) -> Vec<i64> {
        let mut hits = Vec::new();
        let now = |h: i64, _: usize| self.base.block_len(h) + self.cur.index.block_len(h);
        for &h in hashes {
            if let Some(p) = prev {
                p.index.hits_of(h, now, &mut hits);
            }
            self.cur.index.hits_of(h, now, &mut hits);
        }
        keep_candidates(hits)
    }
}

impl Lookup for Layers<'_> {
    fn find(
        &mut self,
        conn: &Connection,
        rec: &Keyed,
        params: &Params,
        min_confidence: f64,
    ) -> Result<Vec<Candidate>> {
        // The scorer's comparisons predate the previous batch's
        // additions; comparisons made now do not.
        let (pre, prev) = match self.row.take() {
            Some(p) => (p, self.prev),
            None => (prescore(self.base, rec), None),
        };
        let tf = SqlTf::new(conn)?;
        let prior = matching::prior_weight_in(params, &tf);
        let Prescored { found, levels } = pre;
        let weights = self.weights.for_record(&rec.rec, params, &tf);
        let mut all: Vec<(i64, Option<(usize, usize)>)> = found
            .into_iter()
            .map(|(seq, at, n)| (seq, Some((at, n))))
            .collect();
        for seq in self.gained(rec.key_hashes(), prev) {
            if let Err(at) = all.binary_search_by_key(&seq, |e| e.0) {
                all.insert(at, (seq, None));
            }
        }
        self.compared += all.len() as u64;
        // Records gained since the scores are compared here as the scorer
        // compares (the same levels), weighed as the scorer's are.
        let row = rec.view();
        let mut sigs: Option<matching::Sigs> = None;
        let mut scored = Vec::new();
        // The row's levels against the records of the person at hand
        // compared, by place, packed: the explanation of a kept person
        // reads them.
        let mut person_levels = Vec::new();
        let mut room = Room::default();
        for (seq, compared) in all {
            person_levels.clear();
            // The last of equal scores wins, as in `best_record`.
            let mut best: Option<(f64, usize)> = None;
            let mut consider = |l: PackedLevels, i: usize| {
                let s = matching::weigh_with(&l, &weights, prior);
                if person_levels.len() <= i {
                    person_levels.resize(i + 1, None);
                }
                person_levels[i] = Some(l);
                if best.is_none_or(|(b, _)| s >= b) {
                    best = Some((s, i));
                }
            };
            if let Some((at, n)) = compared {
                self.records += n as u64;
                for (j, l) in levels[at..at + n].iter().enumerate() {
                    consider(*l, j);
                }
            }
            // The records gained since, after the ones compared: the
            // previous batch's at the end of the person's in `base`, then
            // this batch's. Most candidates gained none: their records in
            // `base` are not looked at again (a read from anywhere in
            // memory per candidate, a tenth of the writer's time).
            let from_prev = prev.map_or(0, |p| p.record_count(seq));
            let from_cur = self.cur.record_count(seq);
            if from_prev + from_cur > 0 {
                // What the scorer compared was `base` before the previous
                // batch's additions.
                let in_base = match compared {
                    Some((_, n)) => n + from_prev,
                    None => self.base.record_count(seq),
                };
                debug_assert_eq!(in_base, self.base.record_count(seq));
                // In place after the person's records in `base`.
                let Room { views, earlier } = &mut room;
                views.clear();
                if let Some(p) = prev {
                    p.index.views_after(seq, views);
                }
                self.cur.index.views_after(seq, views);
                let sigs = sigs.get_or_insert_with(|| matching::Sigs::of(&row));
                let mut at = in_base - from_prev;
                self.records += views.len() as u64;
                matching::levels_of_records(&row, sigs, views, earlier, |l| {
                    consider(matching::pack_levels(&l), at);
                    at += 1;
                });
            }
            let Some((s, i)) = best else { continue };
            if matching::confidence(s) < min_confidence {
                continue;
            }
            let gained = match from_cur {
                0 => Vec::new(),
                _ => self.cur.index.records(seq),
            };
            let records = self
                .base
                .records(seq)
                .into_iter()
                .chain(gained)
                .map(|(sor, sor_id, rec)| SourcedRecord { sor, sor_id, rec })
                .collect();
            scored.push(idmatch::Scored {
                score: s,
                seq,
                best: i,
                records,
                levels: person_levels
                    .iter()
                    .map(|l| l.as_ref().map(matching::unpack_levels))
                    .collect(),
            });
        }
        idmatch::explain_scored(
            conn,
            &rec.rec,
            scored,
            params,
            &tf,
            CANDIDATE_LIMIT,
            Attributes::Later,
        )
    }

    fn mirror(
        &mut self,
        seq: i64,
        previous: Option<i64>,
        req: idmatch::RecordAt<'_>,
        rec: &Keyed,
    ) -> Result<()> {
        // The import skips a record the registry has: nothing moves.
        if previous.is_some_and(|p| p != seq) {
            return Err(super::ServiceError::Conflict(format!(
                "the import cannot move {}/{} between persons",
                req.sor, req.sor_id
            )));
        }
        let a = rec.addition(seq);
        self.cur.add(&a);
        self.added.push(a);
        Ok(())
    }

    /// The import skips a row whose record is stored or waits in the
    /// queue, and decides the others ([`super::import`]'s `write_batch`).
    fn queued(&self) -> Option<bool> {
        Some(false)
    }

    fn holds_records(&self, seq: i64) -> Option<bool> {
        // The previous batch's additions are in `base` already.
        let (base, cur) = (&self.base, &self.cur.index);
        (!base.is_behind() && !cur.is_behind())
            .then(|| base.record_count(seq) > 0 || cur.record_count(seq) > 0)
    }
}
