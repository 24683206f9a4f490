//! The audit report: entries, totals per asset and per UTC day, flags, escrow openings and the
//! scan's timing; as JSON (serde) and CSV (one row per entry).
use corridor_core::state::year_month;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

/// What an entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryItem {
    /// An output note.
    Output,
    /// A Burn's public burn amount (returned to the issuer).
    Burn,
    /// A public fee.
    Fee,
}

impl EntryItem {
    fn name(self) -> &'static str {
        match self {
            EntryItem::Output => "output",
            EntryItem::Burn => "burn",
            EntryItem::Fee => "fee",
        }
    }
}

/// Where an entry's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValueSource {
    /// The regulator's hint.
    Hint,
    /// The bounded discrete log (no hint, or a rejected one).
    DiscreteLog,
    /// A public amount (Mint output, burn amount, fee).
    Public,
    /// No value decrypts (flagged).
    Undecryptable,
}

impl ValueSource {
    fn name(self) -> &'static str {
        match self {
            ValueSource::Hint => "hint",
            ValueSource::DiscreteLog => "discrete-log",
            ValueSource::Public => "public",
            ValueSource::Undecryptable => "undecryptable",
        }
    }
}

/// One amount the regulator saw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Block height.
    pub height: u64,
    /// The block's UTC day, `YYYY-MM-DD`.
    pub day: String,
    /// The block's time, UTC seconds.
    pub time: u64,
    /// Transaction id, hex.
    pub tx_id: String,
    /// Transaction kind (`transfer`, `payout`, …).
    pub kind: String,
    /// What the entry is.
    pub item: EntryItem,
    /// The output's index (outputs only).
    pub output_index: Option<u32>,
    /// The note id, hex (outputs only).
    pub note_id: Option<String>,
    /// Asset code.
    pub asset: String,
    /// The owner's address, bech32m (outputs only).
    pub owner: Option<String>,
    /// The value in minor units; `None` only when undecryptable.
    pub value: Option<u64>,
    /// Where the value comes from.
    pub source: ValueSource,
    /// Whether the output pays someone other than the signer.
    pub payment: bool,
    /// The remittance tag's operator (output 0 of a remittance Transfer).
    pub remittance_operator: Option<String>,
    /// The remittance tag's quote id.
    pub remittance_quote_id: Option<u64>,
    /// The sender's `id_commit` from the transaction's opened KYC escrow, hex.
    pub sender_id_commit: Option<String>,
}

/// A KYC escrow the regulators' key opened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscrowOpening {
    /// Block height.
    pub height: u64,
    /// Transaction id, hex.
    pub tx_id: String,
    /// Transaction kind.
    pub kind: String,
    /// The sender's `id_commit`, hex of its 32 bytes.
    pub id_commit: String,
}

/// Why an entry or a transaction is flagged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlagKind {
    /// A payment above the asset's threshold.
    LargePayment,
    /// The regulator's hint box was there, yet did not open or lied (the value shown is the
    /// discrete log's).
    HintRejected,
    /// No hint for the regulator.
    HintMissing,
    /// The regulator is entitled but no value decrypts.
    Undecryptable,
    /// The KYC escrow does not decode.
    EscrowUnreadable,
}

/// A flag raised by the scan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    /// Why.
    pub kind: FlagKind,
    /// Block height.
    pub height: u64,
    /// Transaction id, hex.
    pub tx_id: String,
    /// Output index, for a note's flag.
    pub output_index: Option<u32>,
    /// Note id, hex, for a note's flag.
    pub note_id: Option<String>,
    /// Asset code (empty for a transaction's flag).
    pub asset: String,
    /// The value found.
    pub value: Option<u64>,
    /// The threshold exceeded (large payments).
    pub threshold: Option<u64>,
}

/// Totals of one asset over the scanned range, from the entries.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetTotals {
    /// Asset code.
    pub asset: String,
    /// Output notes with a value.
    pub outputs: u64,
    /// Sum of their values (Mint outputs included).
    pub output_value: u128,
    /// Outputs that are payments.
    pub payments: u64,
    /// Sum of the payments.
    pub payment_value: u128,
    /// Sum of the Mint outputs.
    pub minted: u128,
    /// Sum of the Burns' burn amounts.
    pub burned: u128,
    /// Sum of the fees.
    pub fees: u128,
}

/// Totals of one asset on one UTC day, from the entries.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayTotals {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Asset code.
    pub asset: String,
    /// Output notes with a value.
    pub outputs: u64,
    /// Sum of their values.
    pub output_value: u128,
    /// Outputs that are payments.
    pub payments: u64,
    /// Sum of the payments.
    pub payment_value: u128,
}

/// What the scan read and how long it took.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScanTiming {
    /// Wall time of the scan, seconds.
    pub elapsed_s: f64,
    /// Blocks read.
    pub blocks: u64,
    /// Transactions read.
    pub transactions: u64,
    /// Output notes read.
    pub notes: u64,
    /// Notes the regulator decrypted (public amounts not counted).
    pub notes_decrypted: u64,
    /// Notes of assets the regulator does not audit.
    pub notes_not_entitled: u64,
}

/// The regulator's report over a range of heights.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditReport {
    /// The network.
    pub network: String,
    /// The regulator's view key (public), hex.
    pub view_key: String,
    /// The assets it audits.
    pub entitled_assets: Vec<String>,
    /// The payment thresholds applied, asset → minor units.
    pub thresholds: BTreeMap<String, u64>,
    /// First height scanned.
    pub from_height: u64,
    /// Last height scanned.
    pub to_height: u64,
    /// Every amount seen, in ledger order.
    pub entries: Vec<AuditEntry>,
    /// Every escrow opened, in ledger order.
    pub escrows: Vec<EscrowOpening>,
    /// Totals per asset (entitled assets only), by asset code.
    pub totals: Vec<AssetTotals>,
    /// Totals per UTC day and asset, by day then asset.
    pub days: Vec<DayTotals>,
    /// Notes of assets the regulator does not audit: counted, never decrypted.
    pub not_entitled: BTreeMap<String, u64>,
    /// Flags, in ledger order.
    pub flags: Vec<Flag>,
    /// Timing.
    pub timing: ScanTiming,
}

/// The columns of [`AuditReport::to_csv`].
pub const CSV_HEADER: &str = "height,day,time,tx_id,kind,item,output_index,note_id,asset,owner,\
value,source,payment,remittance_operator,remittance_quote_id,sender_id_commit";

impl AuditReport {
    /// Computes the totals from the entries and stamps the elapsed time.
    pub fn finish(&mut self, elapsed: Duration) {
        let mut totals: BTreeMap<String, AssetTotals> = self
            .entitled_assets
            .iter()
            .map(|a| {
                let t = AssetTotals {
                    asset: a.clone(),
                    ..AssetTotals::default()
                };
                (a.clone(), t)
            })
            .collect();
        let mut days: BTreeMap<(String, String), DayTotals> = BTreeMap::new();
        for e in &self.entries {
            let Some(v) = e.value.map(u128::from) else {
                continue;
            };
            let t = totals
                .entry(e.asset.clone())
                .or_insert_with(|| AssetTotals {
                    asset: e.asset.clone(),
                    ..AssetTotals::default()
                });
            match e.item {
                EntryItem::Output => {
                    t.outputs += 1;
                    t.output_value += v;
                    if e.source == ValueSource::Public {
                        t.minted += v;
                    }
                    if e.payment {
                        t.payments += 1;
                        t.payment_value += v;
                    }
                    let d = days
                        .entry((e.day.clone(), e.asset.clone()))
                        .or_insert_with(|| DayTotals {
                            day: e.day.clone(),
                            asset: e.asset.clone(),
                            ..DayTotals::default()
                        });
                    d.outputs += 1;
                    d.output_value += v;
                    if e.payment {
                        d.payments += 1;
                        d.payment_value += v;
                    }
                }
                EntryItem::Burn => t.burned += v,
                EntryItem::Fee => t.fees += v,
            }
        }
        self.totals = totals.into_values().collect();
        self.days = days.into_values().collect();
        self.timing.elapsed_s = elapsed.as_secs_f64();
    }

    /// The totals of `asset`, if it is audited.
    pub fn totals_of(&self, asset: &str) -> Option<&AssetTotals> {
        self.totals.iter().find(|t| t.asset == asset)
    }

    /// The entries as CSV: [`CSV_HEADER`], then one row per entry (empty cells for absent
    /// values; RFC 4180 quoting).
    pub fn to_csv(&self) -> String {
        let mut out = String::with_capacity(256 * (self.entries.len() + 1));
        out.push_str(CSV_HEADER);
        out.push('\n');
        let opt = |v: Option<String>| v.unwrap_or_default();
        for e in &self.entries {
            let cells = [
                e.height.to_string(),
                e.day.clone(),
                e.time.to_string(),
                e.tx_id.clone(),
                e.kind.clone(),
                e.item.name().to_string(),
                opt(e.output_index.map(|i| i.to_string())),
                opt(e.note_id.clone()),
                e.asset.clone(),
                opt(e.owner.clone()),
                opt(e.value.map(|v| v.to_string())),
                e.source.name().to_string(),
                e.payment.to_string(),
                opt(e.remittance_operator.clone()),
                opt(e.remittance_quote_id.map(|q| q.to_string())),
                opt(e.sender_id_commit.clone()),
            ];
            for (i, cell) in cells.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_csv_cell(&mut out, cell);
            }
            out.push('\n');
        }
        out
    }
}

/// Appends `cell`, quoted (quotes doubled) when it holds a comma, a quote or a line break.
fn push_csv_cell(out: &mut String, cell: &str) {
    if cell.contains([',', '"', '\n', '\r']) {
        let _ = write!(out, "\"{}\"", cell.replace('"', "\"\""));
    } else {
        out.push_str(cell);
    }
}

/// The UTC day of `time` (seconds since 1970-01-01), `YYYY-MM-DD`.
pub(crate) fn utc_day(time: u64) -> String {
    let day = u32::try_from(time / 86_400).unwrap_or(u32::MAX);
    let (year, month) = year_month(day);
    // The day of the month: days back to the month's first day, plus one.
    let mut first = day;
    while first > 0 && year_month(first - 1) == (year, month) {
        first -= 1;
    }
    format!("{year:04}-{month:02}-{:02}", day - first + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_days_are_civil_dates() {
        assert_eq!(utc_day(0), "1970-01-01");
        assert_eq!(utc_day(86_399), "1970-01-01");
        assert_eq!(utc_day(86_400), "1970-01-02");
        // 2024-02-29 (leap day) 12:00 UTC, and the next day.
        assert_eq!(utc_day(1_709_208_000), "2024-02-29");
        assert_eq!(utc_day(1_709_208_000 + 86_400), "2024-03-01");
        // 2025-12-31 23:59:59 UTC.
        assert_eq!(utc_day(1_767_225_599), "2025-12-31");
    }

    #[test]
    fn csv_cells_are_quoted_when_needed() {
        let mut out = String::new();
        push_csv_cell(&mut out, "plain");
        out.push(',');
        push_csv_cell(&mut out, "a,b \"c\"");
        assert_eq!(out, "plain,\"a,b \"\"c\"\"\"");
    }

    #[test]
    fn totals_come_from_the_entries() {
        let entry = |item, asset: &str, value, payment, source, day: &str| AuditEntry {
            height: 1,
            day: day.into(),
            time: 0,
            tx_id: "00".into(),
            kind: "transfer".into(),
            item,
            output_index: None,
            note_id: None,
            asset: asset.into(),
            owner: None,
            value,
            source,
            payment,
            remittance_operator: None,
            remittance_quote_id: None,
            sender_id_commit: None,
        };
        let mut r = AuditReport {
            entitled_assets: vec!["HKD".into(), "PHP".into()],
            entries: vec![
                entry(
                    EntryItem::Output,
                    "HKD",
                    Some(100),
                    false,
                    ValueSource::Public,
                    "d1",
                ),
                entry(
                    EntryItem::Output,
                    "HKD",
                    Some(30),
                    true,
                    ValueSource::Hint,
                    "d1",
                ),
                entry(
                    EntryItem::Output,
                    "HKD",
                    Some(7),
                    true,
                    ValueSource::Hint,
                    "d2",
                ),
                entry(
                    EntryItem::Output,
                    "HKD",
                    None,
                    true,
                    ValueSource::Undecryptable,
                    "d2",
                ),
                entry(
                    EntryItem::Fee,
                    "HKD",
                    Some(3),
                    false,
                    ValueSource::Public,
                    "d2",
                ),
                entry(
                    EntryItem::Burn,
                    "HKD",
                    Some(50),
                    false,
                    ValueSource::Public,
                    "d2",
                ),
            ],
            ..AuditReport::default()
        };
        r.finish(Duration::from_millis(1500));
        let hkd = r.totals_of("HKD").unwrap();
        assert_eq!(
            (
                hkd.outputs,
                hkd.output_value,
                hkd.payments,
                hkd.payment_value
            ),
            (3, 137, 2, 37)
        );
        assert_eq!((hkd.minted, hkd.burned, hkd.fees), (100, 50, 3));
        // An audited asset with nothing in the range still has its (zero) line.
        assert_eq!(r.totals_of("PHP").unwrap().outputs, 0);
        assert_eq!(r.days.len(), 2);
        assert_eq!((r.days[1].day.as_str(), r.days[1].output_value), ("d2", 7));
        assert_eq!(r.timing.elapsed_s, 1.5);
        let csv = r.to_csv();
        assert_eq!(csv.lines().count(), 7);
        assert!(csv.starts_with(CSV_HEADER));
    }
}
