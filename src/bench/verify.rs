//! `corridor bench verify`: a block of `N` valid 2-in/2-out KYC-proven HKD transfers verified
//! one by one (each alone, spread over the threads) and as one batch (DESIGN.md §4.3), in the
//! same run, on the same threads.
//!
//! The fixture ([`VerifyFixture`]): a demo network (seed `seed`) with eight Hong Kong customers
//! onboarded for real, funded by the HKD treasury with two notes per transfer (treasury
//! transfers of 14 payments and change), and `N` transfers built against that one state — each
//! spends two of its customer's notes, pays the next customer, keeps the change, pays a fee and
//! carries its Groth16 KYC proof — so that all `N` are valid in the same block. Building them
//! costs a KYC proof each (about 0.7 s of one core), so the fixture is cached: the set-up
//! transactions and the `N` transfers, as their canonical encodings, in one file; loading it
//! replays the set-up on a fresh network (verifying each transaction) instead of proving it.
//!
//! Each iteration times, from the encoded bytes: (1) *unbatched*: every transfer decoded and
//! checked by [`verify_transaction`] on its own, the transfers spread over the threads; (2)
//! *batched*: every transfer decoded and [`prepare`]d (spread over the threads), added to one
//! [`Batch`], and [`Batch::finish`]ed, whose time splits into scalar work, the Ristretto MSM
//! and the pairing side. The two alternate iteration by iteration; the medians are reported.
use crate::bench::{median, BenchError};
use crate::network::DemoNetwork;
use corridor_core::keys::WalletKeys;
use corridor_core::tx::Transaction;
use corridor_prover::builder::Payment;
use corridor_prover::{TransferRequest, ViewWallet};
use corridor_verifier::{prepare_all, verify_transaction, Batch, Threads, VerifyError};
use rand::{CryptoRng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Customers that send the benchmarked transfers (each pays the next one).
pub const CUSTOMERS: usize = 8;
/// The value of every funding note, in HKD cents.
const NOTE: u64 = 10_000;
/// Each benchmarked transfer pays this much to the next customer…
const PAYMENT: u64 = 12_345;
/// …and this fee.
const FEE: u64 = 100;
/// Payments per treasury funding transfer (plus the treasury's change: 15 outputs).
const FUNDING_PER_TX: usize = 14;
/// First line of a cache file: what it holds and in which version of its layout.
const CACHE_MAGIC: &[u8] = b"corridor bench verify fixture v1\n";

/// Why the fixture cache could not be read or written (the bench then builds the fixture).
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// File system.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
    /// Not a cache file of this layout, or for another fixture.
    #[error("{path}: {what}")]
    Stale {
        /// The file.
        path: PathBuf,
        /// What did not match.
        what: String,
    },
}

/// The seed of the `i`-th customer's wallet.
fn customer_seed(i: usize) -> [u8; 32] {
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(b"benchver");
    seed[8..16].copy_from_slice(&(i as u64).to_le_bytes());
    seed
}

/// `N` valid transfers of one block, on the network they are valid on.
pub struct VerifyFixture {
    /// The network after the set-up (the state every transfer is checked against).
    pub net: DemoNetwork,
    /// The transfers' canonical encodings.
    pub transfers: Vec<Vec<u8>>,
    /// Whether they came from the cache.
    pub cached: bool,
}

impl fmt::Debug for VerifyFixture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "VerifyFixture({} transfers, cached {})",
            self.transfers.len(),
            self.cached
        )
    }
}

impl VerifyFixture {
    /// The cache file of `transfers` transfers from `seed` in `dir`.
    pub fn cache_path(dir: &Path, seed: u64, transfers: usize) -> PathBuf {
        dir.join(format!("verify-{transfers}-seed{seed}.bin"))
    }

    /// Loads the fixture from `dir`'s cache file, or builds it (reporting progress as the
    /// number of transfers built so far) on `threads` and writes the cache. A cache that does
    /// not read back as this fixture is rebuilt; one that cannot be written is reported in
    /// the second value and the fixture is still returned.
    ///
    /// # Errors
    /// If the fixture cannot be built.
    pub fn load_or_build(
        seed: u64,
        transfers: usize,
        dir: &Path,
        threads: &Threads,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<(Self, Option<CacheError>), BenchError> {
        let path = Self::cache_path(dir, seed, transfers);
        if let Ok(fixture) = Self::load(&path, seed, transfers) {
            return Ok((fixture, None));
        }
        let (fixture, setup) = Self::build(seed, transfers, threads, progress)?;
        let saved = fixture.save(&path, &setup).err();
        Ok((fixture, saved))
    }

    /// Builds the fixture; returns it and the set-up transactions.
    ///
    /// # Errors
    /// If a set-up transaction or a transfer cannot be built or is refused.
    pub fn build(
        seed: u64,
        transfers: usize,
        threads: &Threads,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<(Self, Vec<Transaction>), BenchError> {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let mut net = DemoNetwork::new(seed)?;
        let customers: Vec<WalletKeys> = (0..CUSTOMERS)
            .map(|i| net.customer(customer_seed(i)))
            .collect::<Result<_, _>>()?;
        // The treasury: one minted note, then funding transfers of FUNDING_PER_TX payments.
        let notes = 2 * transfers;
        let mint = net.builder().mint(
            "HKD",
            net.next_mint_nonce("HKD"),
            &[NOTE * notes as u64],
            &mut rng,
        )?;
        net.submit(&mint.tx.sign(&net.inst.hkd_issuer))?;
        let payees: Vec<usize> = (0..notes).map(|k| (k / 2) % CUSTOMERS).collect();
        for chunk in payees.chunks(FUNDING_PER_TX) {
            let payments: Vec<Payment> = chunk
                .iter()
                .map(|&c| Payment {
                    to: customers[c].address(),
                    value: NOTE,
                })
                .collect();
            let funding =
                net.transfer(&net.inst.hkd_treasury, "HKD", &payments, 0, None, &mut rng)?;
            net.submit(&funding)?;
        }
        let setup = net.committed().to_vec();

        // Transfer i: customer i mod 8 spends its (i / 8)-th pair of notes.
        let owned: Vec<_> = customers.iter().map(|k| net.owned(k, "HKD")).collect();
        let done = AtomicUsize::new(0);
        let indices: Vec<usize> = (0..transfers).collect();
        let net_ref = &net;
        let built = threads.map(&indices, |&i| -> Result<Vec<u8>, BenchError> {
            let c = i % CUSTOMERS;
            let pair = i / CUSTOMERS;
            let inputs = owned[c]
                .get(2 * pair..2 * pair + 2)
                .ok_or_else(|| BenchError::Fixture(format!("customer {c} lacks notes")))?;
            let mut rng = ChaCha20Rng::seed_from_u64(seed ^ ((i as u64 + 1) << 32));
            let request = TransferRequest {
                asset: "HKD".into(),
                inputs: inputs.to_vec(),
                payments: vec![Payment {
                    to: customers[(c + 1) % CUSTOMERS].address(),
                    value: PAYMENT,
                }],
                fee: FEE,
                remittance: None,
                kyc: Some(net_ref.kyc_credential(&customers[c])?),
            };
            let tx = net_ref
                .builder()
                .transfer(&ViewWallet::of(&customers[c]), &request, &mut rng)?
                .tx
                .sign(&customers[c].spend);
            progress(done.fetch_add(1, Ordering::Relaxed) + 1);
            Ok(tx.encode())
        });
        let transfers = built.into_iter().collect::<Result<Vec<_>, _>>()?;
        Ok((
            Self {
                net,
                transfers,
                cached: false,
            },
            setup,
        ))
    }

    fn save(&self, path: &Path, setup: &[Transaction]) -> Result<(), CacheError> {
        let io = |source| CacheError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut out = CACHE_MAGIC.to_vec();
        out.extend_from_slice(&self.net.keys.verifying.sha256());
        for list in [
            setup.iter().map(Transaction::encode).collect::<Vec<_>>(),
            self.transfers.clone(),
        ] {
            out.extend_from_slice(&(list.len() as u64).to_le_bytes());
            for tx in list {
                out.extend_from_slice(&(tx.len() as u64).to_le_bytes());
                out.extend_from_slice(&tx);
            }
        }
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(io)?;
        }
        // Write then rename, so that an interrupted run never leaves half a cache.
        let partial = path.with_extension("partial");
        fs::write(&partial, out).map_err(io)?;
        fs::rename(&partial, path).map_err(io)
    }

    fn load(path: &Path, seed: u64, transfers: usize) -> Result<Self, CacheError> {
        let stale = |what: String| CacheError::Stale {
            path: path.to_path_buf(),
            what,
        };
        let bytes = fs::read(path).map_err(|source| CacheError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut rest = bytes
            .strip_prefix(CACHE_MAGIC)
            .ok_or_else(|| stale("not a fixture cache of this layout".into()))?;
        let mut take = |n: usize| -> Result<&[u8], CacheError> {
            if rest.len() < n {
                return Err(stale("truncated".into()));
            }
            let (head, tail) = rest.split_at(n);
            rest = tail;
            Ok(head)
        };
        let vk_hash = take(32)?.to_vec();
        let mut lists = Vec::new();
        for _ in 0..2 {
            let count = u64::from_le_bytes(take(8)?.try_into().unwrap_or_default());
            let mut list = Vec::new();
            for _ in 0..count {
                let len = u64::from_le_bytes(take(8)?.try_into().unwrap_or_default());
                let len = usize::try_from(len).map_err(|_| stale("length".into()))?;
                list.push(take(len)?.to_vec());
            }
            lists.push(list);
        }
        if !rest.is_empty() {
            return Err(stale("trailing bytes".into()));
        }
        let [setup, cached] =
            <[Vec<Vec<u8>>; 2]>::try_from(lists).map_err(|_| stale("expected two lists".into()))?;
        if cached.len() != transfers {
            return Err(stale(format!(
                "{} transfers, not {transfers}",
                cached.len()
            )));
        }
        let mut net = DemoNetwork::new(seed).map_err(|e| stale(e.to_string()))?;
        if net.keys.verifying.sha256().as_slice() != vk_hash.as_slice() {
            return Err(stale("made with another KYC key".into()));
        }
        for (i, bytes) in setup.iter().enumerate() {
            let tx = Transaction::decode(bytes).map_err(|e| stale(format!("set-up {i}: {e}")))?;
            net.submit(&tx)
                .map_err(|e| stale(format!("set-up {i}: {e}")))?;
        }
        Ok(Self {
            net,
            transfers: cached,
            cached: true,
        })
    }
}

/// CPU time, in seconds, of every thread of this process so far (Linux's
/// `/proc/self/task/*/schedstat`, nanoseconds on the CPU), or `None` elsewhere. Beside the wall
/// time it tells how much of a slow run the machine's other work took.
fn process_cpu_seconds() -> Option<f64> {
    let mut total = 0u64;
    for entry in fs::read_dir("/proc/self/task").ok()? {
        let Ok(entry) = entry else { continue };
        // A thread may end between the listing and the read.
        if let Ok(stat) = fs::read_to_string(entry.path().join("schedstat")) {
            total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
        }
    }
    Some(total as f64 / 1e9)
}

/// One `corridor bench verify` line.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifyMeasurement {
    /// Transfers in the block.
    pub transfers: usize,
    /// Threads.
    pub threads: usize,
    /// Timed iterations of each.
    pub iters: usize,
    /// Median seconds to verify them all one by one.
    pub unbatched_s: f64,
    /// Median seconds to verify them as one batch (decode and prepare included).
    pub batched_s: f64,
    /// Median CPU seconds (all threads) of the unbatched path, if the platform tells.
    pub unbatched_cpu_s: Option<f64>,
    /// Median CPU seconds of the batched path.
    pub batched_cpu_s: Option<f64>,
    /// Median seconds of the batched run's decoding and preparation.
    pub prepare_s: f64,
    /// … its scalar work.
    pub scalar_s: f64,
    /// … its Ristretto MSM.
    pub msm_s: f64,
    /// … its pairing side.
    pub pairing_s: f64,
}

impl VerifyMeasurement {
    /// Unbatched transfers per second.
    pub fn unbatched_tps(&self) -> f64 {
        self.transfers as f64 / self.unbatched_s
    }

    /// Batched transfers per second.
    pub fn batched_tps(&self) -> f64 {
        self.transfers as f64 / self.batched_s
    }

    /// The JSON line.
    pub fn to_json(&self) -> serde_json::Value {
        let round = |x: f64, k: f64| (x * k).round() / k;
        let ms = |s: f64| round(s * 1e3, 100.0);
        serde_json::json!({
            "bench": "verify",
            "transfers": self.transfers,
            "threads": self.threads,
            "iters": self.iters,
            "unbatched_tx_per_s": round(self.unbatched_tps(), 10.0),
            "batched_tx_per_s": round(self.batched_tps(), 10.0),
            "ratio": round(self.batched_tps() / self.unbatched_tps(), 100.0),
            "unbatched_ms": ms(self.unbatched_s),
            "batched_ms": ms(self.batched_s),
            "unbatched_cpu_ms": self.unbatched_cpu_s.map(ms),
            "batched_cpu_ms": self.batched_cpu_s.map(ms),
            "batched_split_ms": {
                "decode_prepare": ms(self.prepare_s),
                "scalar": ms(self.scalar_s),
                "msm": ms(self.msm_s),
                "pairing": ms(self.pairing_s),
            },
        })
    }
}

fn decode(bytes: &[u8]) -> Result<Transaction, VerifyError> {
    Transaction::decode(bytes).map_err(VerifyError::from)
}

/// Times the fixture's transfers verified one by one and as one batch, alternating, `iters`
/// times after one untimed round of each; weights from `rng`.
///
/// # Errors
/// If any transfer is refused by either path (a stale cache, or a verifier fault).
pub fn measure<R: RngCore + CryptoRng>(
    fixture: &VerifyFixture,
    threads: &Threads,
    iters: usize,
    rng: &mut R,
) -> Result<VerifyMeasurement, BenchError> {
    let ctx = fixture.net.verify_context();
    let txs = &fixture.transfers;
    let refused = |i: usize, e: VerifyError| {
        BenchError::Fixture(format!(
            "transfer {i} is refused ({e}); delete the cache file if it is stale"
        ))
    };
    let mut unbatched = Vec::new();
    let mut batched = Vec::new();
    let mut unbatched_cpu = Vec::new();
    let mut batched_cpu = Vec::new();
    let mut split: [Vec<f64>; 4] = Default::default();
    for round in 0..=iters {
        let cpu = process_cpu_seconds();
        let start = Instant::now();
        let results = threads.map(txs, |bytes| {
            decode(bytes).and_then(|tx| verify_transaction(&tx, &ctx).map(|_| ()))
        });
        let elapsed = start.elapsed().as_secs_f64();
        let unbatched_cpu_s = cpu.zip(process_cpu_seconds()).map(|(a, b)| b - a);
        if let Some((i, Err(e))) = results.into_iter().enumerate().find(|(_, r)| r.is_err()) {
            return Err(refused(i, e));
        }

        let cpu = process_cpu_seconds();
        let start = Instant::now();
        let prepared = prepare_all(txs, &ctx, threads);
        let prepare_s = start.elapsed().as_secs_f64();
        let mut batch = Batch::new(ctx.kyc_key);
        for (i, p) in prepared.into_iter().enumerate() {
            batch
                .add(p.map_err(|e| refused(i, e))?)
                .map_err(|e| refused(i, e))?;
        }
        let outcome = batch.finish(rng, threads);
        let batched_s = start.elapsed().as_secs_f64();
        let batched_cpu_s = cpu.zip(process_cpu_seconds()).map(|(a, b)| b - a);
        if let Some((i, Err(e))) = outcome
            .results
            .into_iter()
            .enumerate()
            .find(|(_, r)| r.is_err())
        {
            return Err(refused(i, e));
        }
        if round > 0 {
            unbatched.push(elapsed);
            batched.push(batched_s);
            unbatched_cpu.extend(unbatched_cpu_s);
            batched_cpu.extend(batched_cpu_s);
            let t = outcome.timings;
            for (samples, s) in split.iter_mut().zip([
                prepare_s,
                t.scalar.as_secs_f64(),
                t.msm.as_secs_f64(),
                t.pairing.as_secs_f64(),
            ]) {
                samples.push(s);
            }
        }
    }
    let med = |v: &mut Vec<f64>| median(v).ok_or_else(|| BenchError::Fixture("no samples".into()));
    let [mut p, mut s, mut m, mut q] = split;
    Ok(VerifyMeasurement {
        transfers: txs.len(),
        threads: threads.count(),
        iters,
        unbatched_s: med(&mut unbatched)?,
        batched_s: med(&mut batched)?,
        unbatched_cpu_s: median(&mut unbatched_cpu),
        batched_cpu_s: median(&mut batched_cpu),
        prepare_s: med(&mut p)?,
        scalar_s: med(&mut s)?,
        msm_s: med(&mut m)?,
        pairing_s: med(&mut q)?,
    })
}
