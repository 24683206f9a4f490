//! The threads a verification runs on: a rayon pool of a chosen size (the node passes its
//! thread count), or the calling thread alone (a single transaction checked on its own).
use rayon::prelude::*;
use rayon::{ThreadPool, ThreadPoolBuildError, ThreadPoolBuilder};
use std::fmt;

/// Where the parallel parts of a verification (preparation, scalar work, the MSM's chunks, the
/// Miller loops) run.
pub struct Threads {
    pool: Option<ThreadPool>,
}

impl fmt::Debug for Threads {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Threads({})", self.count())
    }
}

impl Threads {
    /// A pool of `count` worker threads (`count ≥ 1`; 1 runs on one pool thread, which keeps
    /// measurements of one thread honest).
    ///
    /// # Errors
    /// If the operating system refuses to start the threads.
    pub fn new(count: usize) -> Result<Self, ThreadPoolBuildError> {
        let pool = ThreadPoolBuilder::new()
            .num_threads(count.max(1))
            .thread_name(|i| format!("corridor-verify-{i}"))
            .build()?;
        Ok(Self { pool: Some(pool) })
    }

    /// The calling thread alone, no pool: what [`crate::verify_transaction`] uses.
    #[must_use]
    pub fn current() -> Self {
        Self { pool: None }
    }

    /// How many threads work.
    #[must_use]
    pub fn count(&self) -> usize {
        self.pool
            .as_ref()
            .map_or(1, rayon::ThreadPool::current_num_threads)
    }

    /// Runs `f` inside the pool (so that rayon's parallel iterators inside it use the pool's
    /// threads, never the global pool), or on the calling thread.
    pub fn install<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        match &self.pool {
            Some(pool) => pool.install(f),
            None => f(),
        }
    }

    /// `items.map(f)` in order, spread over the threads.
    pub fn map<I: Sync, T: Send>(&self, items: &[I], f: impl Fn(&I) -> T + Sync + Send) -> Vec<T> {
        match &self.pool {
            Some(pool) => pool.install(|| items.par_iter().map(&f).collect()),
            None => items.iter().map(f).collect(),
        }
    }

    /// `f(a)` and `f(b)` side by side.
    pub fn join<A: Send, B: Send>(
        &self,
        a: impl FnOnce() -> A + Send,
        b: impl FnOnce() -> B + Send,
    ) -> (A, B) {
        match &self.pool {
            Some(pool) => pool.install(|| rayon::join(a, b)),
            None => (a(), b()),
        }
    }
}
