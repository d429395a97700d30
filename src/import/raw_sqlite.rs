//! Prepared statements run directly on the SQLite connection of an import's transaction,
//! one row per execution: how `sqlite3`'s own `.import` loads a file.
//!
//! Through sqlx every value of a multi-row statement became a `Val`, then an sqlx argument
//! (copied again to own it), crossed to the driver's worker thread, was copied a third time
//! by `sqlite3_bind_text(…, SQLITE_TRANSIENT)` and freed at the next reset; the returned ids
//! came back row by row over a channel. A profile of a million-line first import
//! (2026-12-06, `perf record` of `bench-import-child`) had a quarter of its CPU time in
//! `malloc`/`free` and copies, and the writer and the worker thread waiting on each other.
//! Here a batch takes the connection from sqlx (`lock_handle`: the worker thread makes no
//! call on it until the lock is dropped), binds each value where it lies
//! (`SQLITE_STATIC`: SQLite reads it during the step and the bindings are cleared before the
//! values can go away), steps, and reads the returned id in place.
//!
//! The SQL is the same text the generic path runs (built from the same column lists), for one
//! row; the Postgres path keeps sqlx's multi-row statements. Errors carry SQLite's message.

use std::ffi::{c_char, c_int, CStr};
use std::marker::PhantomData;
use std::ptr::NonNull;

use anyhow::{anyhow, bail};
use chrono::SecondsFormat;
use libsqlite3_sys as ffi;
use sqlx::sqlite::{LockedSqliteHandle, SqliteConnection};

use super::db::Val;

/// The connection of an import's transaction, taken from sqlx for a batch.
pub struct RawConn<'c> {
    _guard: LockedSqliteHandle<'c>,
    db: NonNull<ffi::sqlite3>,
}

impl RawConn<'_> {
    /// Waits until sqlx's worker thread is idle and takes the connection. Its transaction
    /// stays open: the statements here run inside it.
    pub async fn lock(conn: &mut SqliteConnection) -> sqlx::Result<RawConn<'_>> {
        let mut guard = conn.lock_handle().await?;
        let db = guard.as_raw_handle();
        Ok(RawConn { _guard: guard, db })
    }

    /// Prepares one statement, finalized when dropped.
    pub fn prepare(&self, sql: &str) -> anyhow::Result<Stmt<'_>> {
        let mut stmt = std::ptr::null_mut();
        let len = c_int::try_from(sql.len()).map_err(|_| anyhow!("statement too long"))?;
        // SAFETY: `db` is the open connection this value holds the lock of; the text is read
        // for `len` bytes only; `stmt` receives a statement finalized by `Stmt::drop`.
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(
                self.db.as_ptr(),
                sql.as_ptr().cast::<c_char>(),
                len,
                &mut stmt,
                std::ptr::null_mut(),
            )
        };
        let stmt = NonNull::new(stmt).filter(|_| rc == ffi::SQLITE_OK);
        match stmt {
            Some(stmt) => Ok(Stmt {
                db: self.db,
                stmt,
                what: sql.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
                _conn: PhantomData,
            }),
            None => Err(self.error(rc, "failed to prepare a statement")),
        }
    }

    /// The rowid of the last row inserted on this connection.
    pub fn last_insert_rowid(&self) -> i64 {
        // SAFETY: `db` is the open connection this value holds the lock of.
        unsafe { ffi::sqlite3_last_insert_rowid(self.db.as_ptr()) }
    }

    fn error(&self, rc: c_int, what: &str) -> anyhow::Error {
        error(self.db, rc, what)
    }
}

fn error(db: NonNull<ffi::sqlite3>, rc: c_int, what: &str) -> anyhow::Error {
    // SAFETY: the connection is open (the statement or lock that called this borrows it);
    // SQLite returns a NUL-terminated message it owns, copied out before the next call.
    let message = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db.as_ptr())) }
        .to_string_lossy()
        .into_owned();
    anyhow!("{what}: {message} (SQLite code {rc})")
}

/// A prepared statement on a [`RawConn`].
pub struct Stmt<'r> {
    db: NonNull<ffi::sqlite3>,
    stmt: NonNull<ffi::sqlite3_stmt>,
    what: String,
    _conn: PhantomData<&'r ()>,
}

impl Drop for Stmt<'_> {
    fn drop(&mut self) {
        // SAFETY: the statement was prepared on this connection and is finalized once.
        unsafe {
            ffi::sqlite3_finalize(self.stmt.as_ptr());
        }
    }
}

impl Stmt<'_> {
    /// Runs the statement once with `vals` bound to its `?` parameters in order; returns the
    /// first column of its first row (`RETURNING id`, a lookup), if any.
    pub fn run(&mut self, vals: &[Val]) -> anyhow::Result<Option<i64>> {
        self.run_with(vals, |s| s.column_i64(0))
    }

    /// [`Stmt::run`] reading the first row with `read`.
    pub fn run_with<T>(
        &mut self,
        vals: &[Val],
        read: impl FnOnce(&Stmt) -> T,
    ) -> anyhow::Result<Option<T>> {
        // Dates and instants are bound as the text sqlx would bind, kept alive here until the
        // bindings are cleared.
        let texts: Vec<Option<String>> = vals
            .iter()
            .map(|v| match v {
                Val::Ts(t) => Some(t.to_rfc3339_opts(SecondsFormat::AutoSi, false)),
                Val::Date(d) => Some(d.format("%F").to_string()),
                _ => None,
            })
            .collect();
        let stmt = self.stmt.as_ptr();
        for (i, (v, text)) in vals.iter().zip(&texts).enumerate() {
            let n = c_int::try_from(i + 1).map_err(|_| anyhow!("too many parameters"))?;
            // SAFETY: `stmt` is prepared; text pointers are bound with SQLITE_STATIC and stay
            // valid until `clear` below (they borrow `vals` and `texts`, alive until then).
            let rc = unsafe {
                match (v, text) {
                    (_, Some(t)) => bind_text(stmt, n, t),
                    (Val::Text(t), _) => bind_text(stmt, n, t),
                    (Val::Int(x), _) => ffi::sqlite3_bind_int64(stmt, n, *x),
                    (Val::Bool(b), _) => ffi::sqlite3_bind_int64(stmt, n, i64::from(*b)),
                    _ => ffi::sqlite3_bind_null(stmt, n),
                }
            };
            if rc != ffi::SQLITE_OK {
                self.clear();
                return Err(error(self.db, rc, &format!("failed to bind {}", self.what)));
            }
        }
        // SAFETY: every parameter is bound.
        let rc = unsafe { ffi::sqlite3_step(stmt) };
        let out = match rc {
            ffi::SQLITE_ROW => Ok(Some(read(self))),
            ffi::SQLITE_DONE => Ok(None),
            _ => Err(error(self.db, rc, &format!("failed to run {}", self.what))),
        };
        self.clear();
        out
    }

    /// Resets the statement and drops its bindings, so no pointer into the caller's values
    /// outlives the call.
    fn clear(&self) {
        // SAFETY: the statement is prepared; both calls are valid in any state.
        unsafe {
            ffi::sqlite3_reset(self.stmt.as_ptr());
            ffi::sqlite3_clear_bindings(self.stmt.as_ptr());
        }
    }

    /// Column `i` of the current row as an integer.
    pub fn column_i64(&self, i: c_int) -> i64 {
        // SAFETY: called while the statement is on a row.
        unsafe { ffi::sqlite3_column_int64(self.stmt.as_ptr(), i) }
    }

    /// Column `i` of the current row as text, `None` when NULL.
    pub fn column_text(&self, i: c_int) -> Option<String> {
        let stmt = self.stmt.as_ptr();
        // SAFETY: called while the statement is on a row; the bytes are copied before the
        // next call on the statement.
        unsafe {
            if ffi::sqlite3_column_type(stmt, i) == ffi::SQLITE_NULL {
                return None;
            }
            let ptr = ffi::sqlite3_column_text(stmt, i);
            let len = usize::try_from(ffi::sqlite3_column_bytes(stmt, i)).unwrap_or(0);
            if ptr.is_null() {
                return Some(String::new());
            }
            let bytes = std::slice::from_raw_parts(ptr, len);
            Some(String::from_utf8_lossy(bytes).into_owned())
        }
    }
}

/// # Safety
/// `stmt` must be prepared and `text` must outlive the binding (cleared before it is dropped).
unsafe fn bind_text(stmt: *mut ffi::sqlite3_stmt, n: c_int, text: &str) -> c_int {
    let Ok(len) = c_int::try_from(text.len()) else {
        return ffi::SQLITE_TOOBIG;
    };
    ffi::sqlite3_bind_text(
        stmt,
        n,
        text.as_ptr().cast::<c_char>(),
        len,
        ffi::SQLITE_STATIC(),
    )
}

/// Fails unless the statement returned a row.
pub fn returned(id: Option<i64>, what: &str) -> anyhow::Result<i64> {
    match id {
        Some(id) => Ok(id),
        None => bail!("{what} returned no id"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone, Utc};
    use sqlx::Connection;

    #[tokio::test]
    async fn binds_every_kind_of_value_as_sqlx_would_and_reports_errors() {
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        sqlx::query("CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER, d TEXT, at TEXT, b INTEGER)")
            .execute(&mut conn)
            .await
            .unwrap();
        let at = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 3, 4).unwrap();
        {
            let raw = RawConn::lock(&mut conn).await.unwrap();
            let mut insert = raw
                .prepare("INSERT INTO t (k, n, d, at, b) VALUES (?, ?, ?, ?, ?) RETURNING rowid")
                .unwrap();
            let row = [
                Val::Text("a".into()),
                Val::Int(-7),
                Val::Date(day),
                Val::Ts(at),
                Val::Bool(true),
            ];
            let id = insert.run(&row).unwrap();
            assert_eq!(id, Some(1));
            assert_eq!(raw.last_insert_rowid(), 1);
            let nulls = [
                Val::Text("b".into()),
                Val::NullInt,
                Val::NullText,
                Val::NullTs,
                Val::Bool(false),
            ];
            insert.run(&nulls).unwrap();
            let err = insert.run(&row).unwrap_err().to_string();
            assert!(err.contains("UNIQUE constraint failed: t.k"), "{err}");
            let mut lookup = raw.prepare("SELECT n, d FROM t WHERE k = ?").unwrap();
            let got = lookup
                .run_with(&[Val::Text("a".into())], |s| {
                    (s.column_i64(0), s.column_text(1))
                })
                .unwrap();
            assert_eq!(got, Some((-7, Some("2026-03-04".to_string()))));
            let missing = lookup.run(&[Val::Text("zz".into())]).unwrap();
            assert_eq!(missing, None);
        }
        // What sqlx reads back is what sqlx itself would have written.
        let (d, t, b): (NaiveDate, chrono::DateTime<Utc>, bool) =
            sqlx::query_as("SELECT d, at, b FROM t WHERE k = 'a'")
                .fetch_one(&mut conn)
                .await
                .unwrap();
        assert_eq!((d, t, b), (day, at, true));
        let stored: String = sqlx::query_scalar("SELECT at FROM t WHERE k = 'a'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(stored, at.to_rfc3339_opts(SecondsFormat::AutoSi, false));
        let nulls: (Option<i64>, Option<String>) =
            sqlx::query_as("SELECT n, d FROM t WHERE k = 'b'")
                .fetch_one(&mut conn)
                .await
                .unwrap();
        assert_eq!(nulls, (None, None));
    }
}
