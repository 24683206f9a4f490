//! The node's counters, exposed in the Prometheus text format by the API: the committed
//! height, transactions accepted and rejected (by reason), and the seconds spent verifying.
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Counters shared by the pipeline's tasks.
#[derive(Debug, Default)]
pub struct Metrics {
    height: AtomicU64,
    admitted: AtomicU64,
    rejected: Mutex<BTreeMap<&'static str, u64>>,
    /// Microseconds.
    verify_micros: AtomicU64,
}

impl Metrics {
    pub(crate) fn set_height(&self, h: u64) {
        self.height.store(h, Ordering::Relaxed);
    }

    pub(crate) fn admitted(&self) {
        self.admitted.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn rejected(&self, reason: &'static str) {
        let mut r = self
            .rejected
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *r.entry(reason).or_default() += 1;
    }

    pub(crate) fn add_verify_seconds(&self, s: f64) {
        self.verify_micros
            .fetch_add((s * 1e6) as u64, Ordering::Relaxed);
    }

    /// The committed height.
    pub fn height(&self) -> u64 {
        self.height.load(Ordering::Relaxed)
    }

    /// Transactions admitted.
    pub fn admitted_total(&self) -> u64 {
        self.admitted.load(Ordering::Relaxed)
    }

    /// Transactions rejected, by reason.
    pub fn rejected_total(&self) -> BTreeMap<&'static str, u64> {
        self.rejected
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP corridor_height Height of the last committed block."
        );
        let _ = writeln!(out, "# TYPE corridor_height gauge");
        let _ = writeln!(out, "corridor_height {}", self.height());
        let _ = writeln!(
            out,
            "# HELP corridor_tx_accepted_total Transactions admitted."
        );
        let _ = writeln!(out, "# TYPE corridor_tx_accepted_total counter");
        let _ = writeln!(out, "corridor_tx_accepted_total {}", self.admitted_total());
        let _ = writeln!(
            out,
            "# HELP corridor_tx_rejected_total Transactions refused, by reason."
        );
        let _ = writeln!(out, "# TYPE corridor_tx_rejected_total counter");
        for (reason, n) in self.rejected_total() {
            let _ = writeln!(out, "corridor_tx_rejected_total{{reason=\"{reason}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "# HELP corridor_verify_seconds_total Seconds spent verifying proofs."
        );
        let _ = writeln!(out, "# TYPE corridor_verify_seconds_total counter");
        let _ = writeln!(
            out,
            "corridor_verify_seconds_total {:.6}",
            self.verify_micros.load(Ordering::Relaxed) as f64 / 1e6
        );
        out
    }
}
