//! The blocking index this process holds: built once from the store's
//! `match_rows`, then brought up to date before each use by the persons
//! stamped since ([`sm::refresh_index`]), whichever connection wrote them.
//! Every candidate lookup (the desk's duplicate check, `POST /people`, the
//! hub, stewardship, the search box's exact keys, the import) reads it.

use super::Result;
use crate::core::matching::index::BlockIndex;
use crate::store::matching as sm;
use rusqlite::Connection;
use std::cell::{RefCell, RefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The index with the match clock's stamp it is current to.
pub(crate) type Held = (BlockIndex, i64);

/// A registry's blocking index, loaded at first use.
///
/// A refresh inside a transaction reads that transaction's own writes, and
/// the write paths mirror theirs into the index: if the transaction then
/// rolls back, the index holds what the store does not. So the connection
/// tells this cell of each rollback, and an index used inside a
/// transaction since the last commit is dropped then (the next use loads
/// it again).
pub(crate) struct IndexCell {
    held: RefCell<Option<Held>>,
    /// Used inside a transaction that has not been seen to end.
    used_in_tx: std::cell::Cell<bool>,
    rolled_back: Arc<AtomicBool>,
    committed: Arc<AtomicBool>,
}

impl IndexCell {
    /// A cell for the registry on `conn`, which reports its transactions'
    /// ends to it.
    pub(crate) fn new(conn: &Connection) -> IndexCell {
        let rolled_back = Arc::new(AtomicBool::new(false));
        let committed = Arc::new(AtomicBool::new(false));
        let r = rolled_back.clone();
        conn.rollback_hook(Some(move || r.store(true, Ordering::Relaxed)));
        let c = committed.clone();
        conn.commit_hook(Some(move || {
            c.store(true, Ordering::Relaxed);
            false // let the commit go on
        }));
        IndexCell {
            held: RefCell::new(None),
            used_in_tx: std::cell::Cell::new(false),
            rolled_back,
            committed,
        }
    }

    /// Apply the transaction ends seen since the last use.
    fn settle(&self) {
        let rolled_back = self.rolled_back.swap(false, Ordering::Relaxed);
        let committed = self.committed.swap(false, Ordering::Relaxed);
        if rolled_back && self.used_in_tx.get() {
            self.held.borrow_mut().take();
        }
        if rolled_back || committed {
            self.used_in_tx.set(false);
        }
    }

    /// The index, current with what `conn` sees (its own transaction's
    /// writes included). Loaded on first use.
    pub(crate) fn fresh(&self, conn: &Connection) -> Result<RefMut<'_, BlockIndex>> {
        let current = self.take(conn)?;
        let mut held = self
            .held
            .try_borrow_mut()
            .map_err(|_| internal("the blocking index is in use"))?;
        *held = Some(current);
        if !conn.is_autocommit() {
            self.used_in_tx.set(true);
        }
        Ok(RefMut::map(held, |h| &mut h.as_mut().expect("set above").0))
    }

    /// Take the index out, current with what `conn` sees: for a bulk load,
    /// which keeps it current itself (and gives it back with
    /// [`IndexCell::give_back`] when it succeeds).
    pub(crate) fn take(&self, conn: &Connection) -> Result<Held> {
        self.settle();
        let held = self
            .held
            .try_borrow_mut()
            .map_err(|_| internal("the blocking index is in use"))?
            .take();
        up_to_date(conn, held)
    }

    /// Return an index current to its stamp, outside any transaction.
    pub(crate) fn give_back(&self, held: Held) {
        self.settle();
        if let Ok(mut h) = self.held.try_borrow_mut() {
            *h = Some(held);
        }
    }
}

fn internal(what: &str) -> super::ServiceError {
    super::ServiceError::Conflict(what.to_string())
}

/// `held` brought up to `conn`'s view: refreshed with the rows stamped
/// since, or loaded afresh when there is none, or it cannot be refreshed,
/// or a write could not be mirrored into it. The old index is dropped
/// before a load: two at once would double the memory of a large registry.
pub(crate) fn up_to_date(conn: &Connection, held: Option<Held>) -> Result<Held> {
    if let Some((mut ix, seen)) = held
        && !ix.is_behind()
        && let Some(now) = sm::refresh_index(conn, &mut ix, seen)?
    {
        return Ok((ix, now));
    }
    load(conn)
}

/// The index loaded afresh from the store.
fn load(conn: &Connection) -> Result<Held> {
    sm::load_index(conn)?
        .ok_or_else(|| internal("a person's number is too large for the blocking index"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::core::matching::MatchRecord;

    fn olena() -> MatchRecord {
        MatchRecord::from_attributes(&serde_json::json!(
            {"givenName": "Olena", "familyName": "Kovalenko", "dateOfBirth": "1986-04-12"}
        ))
    }

    /// What a transaction mirrored into the index is gone when it rolls
    /// back, and stays when it commits.
    #[test]
    fn an_index_used_in_a_rolled_back_transaction_is_loaded_again() {
        let mut store = crate::store::Store::open_in_memory().unwrap();
        let cell = IndexCell::new(&store.conn);
        let r = olena();
        let keys = r.blocking_keys();
        assert!(
            cell.fresh(&store.conn)
                .unwrap()
                .candidates(&keys)
                .is_empty()
        );
        for commit in [false, true] {
            let tx = store.conn.transaction().unwrap();
            // As a write path does: the index mirrors what it writes.
            cell.fresh(&tx).unwrap().put(7, "S", "1", &r, &keys);
            assert_eq!(cell.fresh(&tx).unwrap().candidates(&keys), vec![7]);
            if commit {
                tx.commit().unwrap();
            } else {
                tx.rollback().unwrap();
            }
            let after = cell.fresh(&store.conn).unwrap().candidates(&keys);
            assert_eq!(after, if commit { vec![7] } else { vec![] });
        }
    }
}
