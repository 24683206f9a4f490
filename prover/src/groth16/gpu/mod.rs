//! The CUDA MSM backend (feature `gpu`): BN254 G1 and G2 Pippenger on the device, with the
//! proving key's bases resident there and only scalars sent per proof.
//!
//! [`GpuBackend::new`] finds the CUDA driver and NVRTC through cudarc's dynamic loading (probing
//! first: cudarc panics on a missing library), opens the device, loads the kernels of `msm.cu`
//! (from the kernel cache, or compiled by NVRTC at run time and cached), and runs a self-test of
//! both curves against [`CpuBackend`]. Any failure is a [`GpuUnavailable`]; a G2 self-test
//! failure alone keeps G1 on the device and G2 on the CPU. Every call into cudarc runs inside
//! `catch_unwind`, so that a panic in the library (a symbol missing from an old driver) becomes
//! an error rather than an abort of the prover.
//!
//! At run time a device failure (out of memory for a large batch, a driver error) is not a
//! failed proof: the backend computes that MSM on the CPU and counts the failure
//! ([`GpuBackend::device_failures`], [`GpuBackend::last_failure`]).
//!
//! # Resident bases
//! Bases are uploaded once per ([`Query`], slice address, length) and kept (the MSM trait's
//! contract: a key's bases are the same slice every call). A sample of 256 points is compared
//! on each call, so that a different key later allocated at the same address is uploaded
//! anew. Identity points are left out of the upload (their scalars are dropped on the host).
//!
//! # Unsafe code
//! The workspace denies `unsafe_code` (every other crate forbids it in its root); cudarc's
//! probing and kernel launches need it, so [`device`] alone allows it, with a `SAFETY` note at
//! each use.
mod device;
#[cfg(test)]
mod tests;

pub use device::{precompile_kernels, DeviceInfo};

use super::backend::{GpuOptions, GpuUnavailable};
use super::msm::{CpuBackend, MsmBackend, MsmError, Query, ScalarRepr};
use super::pippenger::{push_affine, FieldLimbs};
use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::short_weierstrass::{Affine, Projective};
use ark_ec::{AdditiveGroup, AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::{Field, One, PrimeField, Zero};
use device::{Device, DeviceBases, DeviceCurve, DeviceError};
use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// Resident base sets kept before the oldest is dropped.
const MAX_RESIDENT: usize = 16;
/// Bases compared to recognise a resident set.
const SAMPLES: usize = 256;

/// The CUDA MSM backend. See the module doc.
pub struct GpuBackend {
    state: Mutex<State>,
    info: DeviceInfo,
    /// Why G2 runs on the CPU, if it does.
    g2_on_cpu: Option<GpuUnavailable>,
    failures: AtomicU64,
    last_failure: Mutex<Option<String>>,
}

struct State {
    device: Device,
    resident: Vec<Resident>,
}

/// One uploaded base set and how to recognise it.
struct Resident {
    query: Query,
    curve: &'static str,
    address: usize,
    len: usize,
    samples: Vec<u32>,
    bases: Arc<DeviceBases>,
}

impl core::fmt::Debug for GpuBackend {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("GpuBackend")
            .field("info", &self.info)
            .field("g2_on_cpu", &self.g2_on_cpu)
            .field("device_failures", &self.device_failures())
            .finish_non_exhaustive()
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned())
}

/// `f`, with a panic turned into [`GpuUnavailable::Panicked`].
pub(crate) fn guarded<T>(
    step: &'static str,
    f: impl FnOnce() -> Result<T, GpuUnavailable>,
) -> Result<T, GpuUnavailable> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| {
        Err(GpuUnavailable::Panicked {
            step,
            message: panic_message(p.as_ref()),
        })
    })
}

/// A sample of `bases` (first, last and evenly spaced points) as limbs.
fn sample<P: DeviceCurve>(bases: &[Affine<P>]) -> Vec<u32>
where
    P::BaseField: FieldLimbs,
{
    let mut out = Vec::new();
    let step = (bases.len() / SAMPLES).max(1);
    let picks = bases.iter().step_by(step).chain(bases.last());
    for p in picks {
        if p.is_zero() {
            out.extend(std::iter::repeat_n(
                0,
                2 * <P::BaseField as FieldLimbs>::WORDS,
            ));
        } else {
            push_affine(p, &mut out);
        }
    }
    out
}

/// Self-test bases: multiples of the generator, with repeats, a negation and the identity.
fn test_bases<P: DeviceCurve>(len: usize) -> Vec<Affine<P>>
where
    P::BaseField: FieldLimbs,
{
    let g = Projective::<P>::generator();
    let mut acc = g;
    let mut points = Vec::with_capacity(len);
    for i in 0..len {
        points.push(match i % 11 {
            3 => -g,
            5 => Projective::zero(),
            7 => g,
            _ => acc,
        });
        acc += g.double();
    }
    Projective::normalize_batch(&points)
}

/// Self-test scalars: pseudo-random (a fixed multiplier walk in `Fr`), then 0, 1, r − 1 mixed
/// in; a vector of all ones (one bucket crossing many chunks); a vector of all r − 1.
fn test_scalars(len: usize) -> Vec<Vec<ScalarRepr>> {
    let step = Fr::from(0x9e37_79b9_7f4a_7c15u64).square();
    let mut x = Fr::from(7u64);
    let mixed = (0..len)
        .map(|i| {
            x = x * step + Fr::one();
            match i % 13 {
                0 => Fr::zero(),
                4 => Fr::one(),
                9 => -Fr::one(),
                _ => x,
            }
            .into_bigint()
        })
        .collect();
    vec![
        mixed,
        vec![Fr::one().into_bigint(); len],
        vec![(-Fr::one()).into_bigint(); len],
    ]
}

/// The device's MSMs of the self-test against the CPU's.
fn self_test<P: DeviceCurve<ScalarField = Fr>>(
    device: &Device,
    len: usize,
) -> Result<(), GpuUnavailable>
where
    P::BaseField: FieldLimbs,
{
    let bases = test_bases::<P>(len);
    let vectors = test_scalars(len);
    let refs: Vec<&[ScalarRepr]> = vectors.iter().map(Vec::as_slice).collect();
    let failed = GpuUnavailable::SelfTest {
        curve: P::NAME,
        len,
    };
    let got = device
        .upload::<P>(&bases)
        .and_then(|b| device.msm::<P>(&b, &refs))
        .map_err(|e| GpuUnavailable::Driver {
            step: "the self-test",
            message: e.to_string(),
        })?;
    let expected = refs
        .iter()
        .map(|s| <Projective<P> as ark_ec::VariableBaseMSM>::msm_bigint(&bases, s));
    if got.len() == refs.len() && got.iter().zip(expected).all(|(g, e)| *g == e) {
        Ok(())
    } else {
        Err(failed)
    }
}

fn is_canonical(s: &ScalarRepr) -> bool {
    *s < Fr::MODULUS
}

impl GpuBackend {
    /// Opens device `options.device`, loads the kernels and runs the self-test.
    ///
    /// # Errors
    /// Why the GPU cannot be used ([`GpuUnavailable`]); the caller proves on the CPU.
    pub fn new(options: &GpuOptions) -> Result<Self, GpuUnavailable> {
        guarded("opening the device", || {
            let device = Device::open(options)?;
            self_test::<ark_bn254::g1::Config>(&device, 300)?;
            let g2_on_cpu = self_test::<ark_bn254::g2::Config>(&device, 64).err();
            Ok(Self {
                info: device.info.clone(),
                state: Mutex::new(State {
                    device,
                    resident: Vec::new(),
                }),
                g2_on_cpu,
                failures: AtomicU64::new(0),
                last_failure: Mutex::new(None),
            })
        })
    }

    /// The device and how its kernels were loaded.
    #[must_use]
    pub fn info(&self) -> &DeviceInfo {
        &self.info
    }

    /// Why G2 MSMs run on the CPU (their self-test failed), if they do.
    #[must_use]
    pub fn g2_on_cpu(&self) -> Option<&GpuUnavailable> {
        self.g2_on_cpu.as_ref()
    }

    /// How many MSM calls fell back to the CPU after a device failure.
    #[must_use]
    pub fn device_failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    /// The last device failure, if any.
    #[must_use]
    pub fn last_failure(&self) -> Option<String> {
        self.last_failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Drops every resident base set (the next MSM of each uploads it again).
    pub fn forget_resident(&self) {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .resident
            .clear();
    }

    /// Bytes of bases resident on the device.
    #[must_use]
    pub fn resident_bytes(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .resident
            .iter()
            .map(|r| r.bases.bytes())
            .sum()
    }

    /// The device MSMs of `scalars` against `bases`, uploading the bases unless resident.
    fn on_device<P: DeviceCurve>(
        &self,
        query: Query,
        bases: &[Affine<P>],
        scalars: &[&[ScalarRepr]],
    ) -> Result<Vec<Projective<P>>, DeviceError>
    where
        P::BaseField: FieldLimbs,
    {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let address = bases.as_ptr() as usize;
        let samples = sample(bases);
        let found = state.resident.iter().position(|r| {
            r.query == query && r.curve == P::NAME && r.address == address && r.len == bases.len()
        });
        let resident = match found {
            Some(i) if state.resident[i].samples == samples => Arc::clone(&state.resident[i].bases),
            stale => {
                if let Some(i) = stale {
                    state.resident.remove(i);
                }
                let uploaded = Arc::new(state.device.upload(bases)?);
                if state.resident.len() >= MAX_RESIDENT {
                    state.resident.remove(0);
                }
                state.resident.push(Resident {
                    query,
                    curve: P::NAME,
                    address,
                    len: bases.len(),
                    samples,
                    bases: Arc::clone(&uploaded),
                });
                uploaded
            }
        };
        state.device.msm::<P>(&resident, scalars)
    }

    /// [`Self::on_device`] inside `catch_unwind`; on any failure, counted, the CPU's result.
    fn batch<P: DeviceCurve>(
        &self,
        query: Query,
        bases: &[Affine<P>],
        scalars: &[&[ScalarRepr]],
        cpu: impl FnOnce() -> Result<Vec<Projective<P>>, MsmError>,
    ) -> Result<Vec<Projective<P>>, MsmError>
    where
        P::BaseField: FieldLimbs,
    {
        for s in scalars {
            if s.len() != bases.len() {
                return Err(MsmError::Length {
                    query,
                    bases: bases.len(),
                    scalars: s.len(),
                });
            }
        }
        // Non-canonical scalars (never from the prover) go where arkworks defines their meaning.
        if !scalars.iter().all(|s| s.iter().all(is_canonical)) {
            return cpu();
        }
        let result = catch_unwind(AssertUnwindSafe(|| self.on_device(query, bases, scalars)));
        let failure = match result {
            Ok(Ok(points)) if points.len() == scalars.len() => return Ok(points),
            Ok(Ok(_)) => "the device returned the wrong number of results".to_owned(),
            Ok(Err(e)) => e.to_string(),
            Err(p) => format!("the CUDA library panicked: {}", panic_message(p.as_ref())),
        };
        self.failures.fetch_add(1, Ordering::Relaxed);
        *self
            .last_failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(format!("{query}: {failure}"));
        cpu()
    }
}

fn first<T>(query: Query, mut v: Vec<T>) -> Result<T, MsmError> {
    if v.len() == 1 {
        v.pop().ok_or(MsmError::Backend {
            query,
            backend: "gpu",
            reason: "no result".to_owned(),
        })
    } else {
        Err(MsmError::Backend {
            query,
            backend: "gpu",
            reason: format!("{} results for one MSM", v.len()),
        })
    }
}

impl MsmBackend for GpuBackend {
    fn name(&self) -> &'static str {
        "gpu"
    }

    fn device(&self) -> Option<String> {
        let i = &self.info;
        Some(format!(
            "{} (compute capability {}.{}; kernels for {}, {}; G2 on {}; {} device failures{}; libraries: {})",
            i.name,
            i.compute_capability.0,
            i.compute_capability.1,
            i.arch,
            if i.kernels_from_cache { "from the cache" } else { "compiled by NVRTC in this process" },
            self.g2_on_cpu.as_ref().map_or_else(|| "the device".to_owned(), |why| format!("the CPU ({why})")),
            self.device_failures(),
            self.last_failure().map(|f| format!(", last: {f}")).unwrap_or_default(),
            i.libraries.join(", "),
        ))
    }

    fn msm_g1(
        &self,
        query: Query,
        bases: &[G1Affine],
        scalars: &[ScalarRepr],
    ) -> Result<G1Projective, MsmError> {
        first(query, self.msm_g1_batch(query, bases, &[scalars])?)
    }

    fn msm_g2(
        &self,
        query: Query,
        bases: &[G2Affine],
        scalars: &[ScalarRepr],
    ) -> Result<G2Projective, MsmError> {
        first(query, self.msm_g2_batch(query, bases, &[scalars])?)
    }

    fn msm_g1_batch(
        &self,
        query: Query,
        bases: &[G1Affine],
        scalars: &[&[ScalarRepr]],
    ) -> Result<Vec<G1Projective>, MsmError> {
        self.batch(query, bases, scalars, || {
            CpuBackend.msm_g1_batch(query, bases, scalars)
        })
    }

    fn msm_g2_batch(
        &self,
        query: Query,
        bases: &[G2Affine],
        scalars: &[&[ScalarRepr]],
    ) -> Result<Vec<G2Projective>, MsmError> {
        if self.g2_on_cpu.is_some() {
            return CpuBackend.msm_g2_batch(query, bases, scalars);
        }
        self.batch(query, bases, scalars, || {
            CpuBackend.msm_g2_batch(query, bases, scalars)
        })
    }
}
