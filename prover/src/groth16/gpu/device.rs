//! The CUDA side of the GPU backend: finding the libraries, compiling and caching the kernels,
//! uploading bases, and running the pipeline of `msm.cu` (see [`crate::groth16::pippenger`]).
//!
//! This is the only module of the workspace allowed `unsafe` (see the lint note in
//! `gpu/mod.rs`): cudarc marks library probing and kernel launches `unsafe` because it cannot
//! check a kernel's signature. Every launch here passes exactly the kernel's parameters, in
//! order, with the types `msm.cu` declares (`const u32*`/`u32*` as `CudaSlice<u32>`, `u32` as
//! `u32`), and sizes every buffer for the threads the launch starts.
#![allow(unsafe_code)]

use crate::groth16::backend::{GpuOptions, GpuUnavailable};
use crate::groth16::msm::ScalarRepr;
use crate::groth16::pippenger::{
    kernel_constants, push_affine, scalar_limbs, xyzz_to_projective, FieldLimbs, Plan, LIMBS,
};
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::AffineRepr;
use ark_ff::Zero;
use cudarc::driver::{
    CudaContext, CudaFunction, CudaSlice, CudaStream, LaunchConfig, PushKernelArg,
};
use cudarc::nvrtc::{compile_ptx_with_opts, CompileError, CompileOptions, Ptx};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use thiserror::Error;

/// The kernels' source, compiled at run time with [`kernel_constants`] in front.
const SOURCE: &str = include_str!("msm.cu");

/// Sorted entries summed per thread before a bucket is split across threads.
const CHUNK: u32 = 32;
/// Values per thread in the prefix sum.
const SCAN_CHUNK: u32 = 1024;
/// Sorted entries (8 bytes each) of one device pass; larger batches are cut into passes.
const MAX_ENTRIES: usize = 1 << 27;
/// Buckets of one device pass (128 bytes each in G1, 256 in G2).
const MAX_BUCKETS: usize = 1 << 24;
/// Threads per block: the digit and scan kernels, and the point kernels.
const BLOCK_PLAIN: u32 = 256;
const BLOCK_POINTS: u32 = 128;

/// PTX targets known to NVRTC, newest first; the device gets the newest at or below its
/// compute capability (PTX runs on every later GPU).
const PTX_TARGETS: [((i32, i32), &str); 8] = [
    ((12, 0), "compute_120"),
    ((10, 0), "compute_100"),
    ((9, 0), "compute_90"),
    ((8, 9), "compute_89"),
    ((8, 6), "compute_86"),
    ((8, 0), "compute_80"),
    ((7, 5), "compute_75"),
    ((7, 0), "compute_70"),
];

/// Sonames of NVRTC that this build's cudarc asks the loader for include `libnvrtc.so.13` and
/// `.12`; where the loader's path lacks them, these files are loaded by full path first (with
/// their `libnvrtc-builtins`, which NVRTC opens by soname), so that the loader then finds them
/// already loaded.
const NVRTC_NAMES: [&str; 3] = ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"];
const NVRTC_DIRS: [&str; 6] = [
    "/usr/local/cuda/lib64",
    "/usr/local/cuda/targets/x86_64-linux/lib",
    "/usr/local/cuda-13.0/lib64",
    "/usr/local/cuda-12/lib64",
    "/usr/lib/x86_64-linux-gnu",
    "/usr/local/lib/python3/dist-packages/nvidia/cu13/lib",
];

/// A failure while computing on the device (the backend then computes on the CPU).
#[derive(Debug, Error)]
pub(super) enum DeviceError {
    /// A driver call failed.
    #[error("CUDA driver, {step}: {source}")]
    Driver {
        /// What was being done.
        step: &'static str,
        /// The driver's error.
        source: cudarc::driver::DriverError,
    },
    /// The device returned a field element that is not reduced below `p`.
    #[error("the device returned an unreduced field element")]
    Unreduced,
    /// A size does not fit the kernels' 32-bit counters.
    #[error("{what} ({value}) does not fit the kernels' 32-bit counters")]
    TooLarge {
        /// Which size.
        what: &'static str,
        /// Its value.
        value: usize,
    },
}

trait Step<T> {
    fn at(self, step: &'static str) -> Result<T, DeviceError>;
}

impl<T> Step<T> for Result<T, cudarc::driver::DriverError> {
    fn at(self, step: &'static str) -> Result<T, DeviceError> {
        self.map_err(|source| DeviceError::Driver { step, source })
    }
}

fn u32_of(what: &'static str, value: usize) -> Result<u32, DeviceError> {
    u32::try_from(value).map_err(|_| DeviceError::TooLarge { what, value })
}

/// What was found and loaded, for diagnostics (`corridor bench prove` prints it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceInfo {
    /// The device's name (`NVIDIA H100 80GB HBM3`).
    pub name: String,
    /// Its compute capability.
    pub compute_capability: (i32, i32),
    /// What the kernels were compiled for (`sm_90`: machine code; `compute_90`: PTX).
    pub arch: String,
    /// Whether the kernels came from the cache folder (else NVRTC compiled them in this
    /// process).
    pub kernels_from_cache: bool,
    /// The CUDA libraries mapped into this process (driver and NVRTC), by path.
    pub libraries: Vec<String>,
}

/// The kernels of one curve.
struct CurveKernels {
    accumulate: CudaFunction,
    fixup: CudaFunction,
    reduce: CudaFunction,
    sum_groups: CudaFunction,
}

/// A curve the kernels handle: its coordinate field has [`FieldLimbs`] and its kernels are
/// named `<prefix>_accumulate`, … in `msm.cu`.
pub(super) trait DeviceCurve: SWCurveConfig
where
    Self::BaseField: FieldLimbs,
{
    /// `"G1"` or `"G2"`.
    const NAME: &'static str;
    /// Kernel name prefix.
    const PREFIX: &'static str;
}

impl DeviceCurve for ark_bn254::g1::Config {
    const NAME: &'static str = "G1";
    const PREFIX: &'static str = "g1";
}

impl DeviceCurve for ark_bn254::g2::Config {
    const NAME: &'static str = "G2";
    const PREFIX: &'static str = "g2";
}

/// Bases uploaded once: the non-identity points, and which of the caller's indices they are.
pub(super) struct DeviceBases {
    words: CudaSlice<u32>,
    /// Indices into the caller's slice of the uploaded points; `None` when none was left out.
    kept: Option<Vec<u32>>,
    /// Number of uploaded points.
    count: usize,
}

impl DeviceBases {
    /// Bytes held on the device.
    pub(super) fn bytes(&self) -> usize {
        self.words.len() * 4
    }
}

/// The limbs of every vector's scalars at `kept` (all when `None`), vector after vector:
/// `batch·n·8` words, filled on every core when there are many.
fn gather_scalars(kept: Option<&[u32]>, n: usize, scalars: &[&[ScalarRepr]]) -> Vec<u32> {
    let total = scalars.len() * n;
    let mut host = vec![0u32; total * LIMBS];
    let threads = if total < 1 << 16 {
        1
    } else {
        crate::groth16::msm::available_threads()
    };
    let part = total.div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        for (t, out) in host.chunks_mut(part * LIMBS).enumerate() {
            scope.spawn(move || {
                for (k, limbs) in out.chunks_exact_mut(LIMBS).enumerate() {
                    let g = t * part + k;
                    let (b, i) = (g / n, g % n);
                    let i = kept.map_or(i, |kept| kept[i] as usize);
                    limbs.copy_from_slice(&scalar_limbs(&scalars[b][i]));
                }
            });
        }
    });
    host
}

/// An open device with the kernels loaded.
pub(super) struct Device {
    stream: Arc<CudaStream>,
    count_digits: CudaFunction,
    scatter_digits: CudaFunction,
    scan_chunk_sums: CudaFunction,
    scan_chunks: CudaFunction,
    g1: CurveKernels,
    g2: CurveKernels,
    pub(super) info: DeviceInfo,
}

/// NVRTC libraries loaded by full path, kept loaded for the life of the process.
static PRELOADED: OnceLock<Vec<libloading::Library>> = OnceLock::new();

/// Whether the loader finds the CUDA driver (NVRTC is looked for only when the kernels must be
/// compiled: kernels from the cache need none).
fn find_driver() -> Result<(), GpuUnavailable> {
    // SAFETY: probing only dlopens the library (cudarc's documented first step; without it
    // cudarc panics when the library is missing).
    if unsafe { cudarc::driver::sys::is_culib_present() } {
        Ok(())
    } else {
        Err(GpuUnavailable::NoDriverLibrary)
    }
}

/// Whether the loader finds NVRTC, after loading it from CUDA's usual folders if needed.
fn find_nvrtc() -> Result<(), GpuUnavailable> {
    // SAFETY: probing only dlopens the library (cudarc's documented first step; without it
    // cudarc panics when the library is missing).
    if unsafe { cudarc::nvrtc::sys::is_culib_present() } {
        return Ok(());
    }
    PRELOADED.get_or_init(preload_nvrtc);
    // SAFETY: as above.
    if unsafe { cudarc::nvrtc::sys::is_culib_present() } {
        Ok(())
    } else {
        Err(GpuUnavailable::NoNvrtcLibrary)
    }
}

/// Candidate NVRTC files: `CORRIDOR_NVRTC_LIB`, then each known name in `$CUDA_PATH/lib64`,
/// `$CUDA_HOME/lib64` and [`NVRTC_DIRS`].
fn nvrtc_candidates() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::env::var_os("CORRIDOR_NVRTC_LIB")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    let mut dirs: Vec<PathBuf> = ["CUDA_PATH", "CUDA_HOME"]
        .iter()
        .filter_map(std::env::var_os)
        .map(|d| PathBuf::from(d).join("lib64"))
        .collect();
    dirs.extend(NVRTC_DIRS.iter().map(PathBuf::from));
    for dir in dirs {
        files.extend(NVRTC_NAMES.iter().map(|n| dir.join(n)));
    }
    files.retain(|f| f.is_file());
    files
}

fn preload_nvrtc() -> Vec<libloading::Library> {
    let mut loaded = Vec::new();
    for file in nvrtc_candidates() {
        // NVRTC opens its builtins by soname at compile time: load the ones beside it first.
        if let Some(dir) = file.parent() {
            for builtins in builtins_in(dir) {
                // SAFETY: loading NVRTC's builtins runs no initialisers beyond the library's own.
                if let Ok(lib) = unsafe { libloading::Library::new(&builtins) } {
                    loaded.push(lib);
                }
            }
        }
        // SAFETY: as above; the library stays loaded for the life of the process.
        if let Ok(lib) = unsafe { libloading::Library::new(&file) } {
            loaded.push(lib);
            break;
        }
    }
    loaded
}

fn builtins_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                        n.starts_with("libnvrtc-builtins.so") && !n.contains(".alt.")
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The CUDA libraries mapped into this process, read from `/proc/self/maps` (empty elsewhere).
fn mapped_cuda_libraries() -> Vec<String> {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap_or_default();
    let mut libs: Vec<String> = maps
        .lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .filter(|p| p.contains("libcuda.so") || p.contains("libnvrtc"))
        .map(str::to_owned)
        .collect();
    libs.sort();
    libs.dedup();
    libs
}

fn driver_err(step: &'static str) -> impl Fn(cudarc::driver::DriverError) -> GpuUnavailable {
    move |e| GpuUnavailable::Driver {
        step,
        message: e.to_string(),
    }
}

/// What the kernels are compiled to: machine code for the device's own architecture (NVRTC runs
/// ptxas, and the driver loads it as is), or PTX for an older virtual one (the driver compiles
/// it at load) when this NVRTC does not know the device's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Cubin,
    Ptx(&'static str),
}

impl Target {
    fn arch(self, cc: (i32, i32)) -> String {
        match self {
            Target::Cubin => format!("sm_{}{}", cc.0, cc.1),
            Target::Ptx(arch) => arch.to_owned(),
        }
    }

    /// The device's own architecture first, then every PTX target at or below it.
    fn all(cc: (i32, i32)) -> Vec<Target> {
        std::iter::once(Target::Cubin)
            .chain(
                PTX_TARGETS
                    .iter()
                    .filter(|(t, _)| *t <= cc)
                    .map(|&(_, arch)| Target::Ptx(arch)),
            )
            .collect()
    }
}

/// The kernels' source: the field constants, then `msm.cu`.
fn kernel_source() -> String {
    format!("{}{SOURCE}", kernel_constants())
}

/// The cache file of `source` compiled for `arch` under `dir`: named by a hash of both.
fn cache_file(dir: &Path, source: &str, arch: &str) -> PathBuf {
    let mut h = Sha256::new();
    h.update(source.as_bytes());
    h.update([0u8]);
    h.update(arch.as_bytes());
    let digest = h.finalize();
    let name: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    let ext = if arch.starts_with("sm_") {
        "cubin"
    } else {
        "ptx"
    };
    dir.join(format!("corridor-msm-{arch}-{name}.{ext}"))
}

/// Compiled kernels: a cubin image, or PTX text.
enum Compiled {
    Cubin(Vec<u8>),
    Ptx(String),
}

impl Compiled {
    fn bytes(&self) -> &[u8] {
        match self {
            Compiled::Cubin(b) => b,
            Compiled::Ptx(s) => s.as_bytes(),
        }
    }

    fn into_module_source(self) -> Ptx {
        match self {
            Compiled::Cubin(b) => Ptx::from_binary(b),
            Compiled::Ptx(s) => Ptx::from_src(s),
        }
    }

    fn read(file: &Path) -> Option<Self> {
        if file.extension().is_some_and(|e| e == "cubin") {
            std::fs::read(file).ok().map(Compiled::Cubin)
        } else {
            std::fs::read_to_string(file).ok().map(Compiled::Ptx)
        }
    }
}

fn nvrtc_log(prog: cudarc::nvrtc::sys::nvrtcProgram) -> String {
    // SAFETY: `prog` is a live program (created and not yet destroyed by the caller).
    unsafe { cudarc::nvrtc::result::get_program_log(prog) }
        .map(|log| {
            let bytes: Vec<u8> = log
                .iter()
                .map(|&c| c as u8)
                .take_while(|&b| b != 0)
                .collect();
            String::from_utf8_lossy(&bytes).into_owned()
        })
        .unwrap_or_default()
}

/// NVRTC compiles `source` to machine code for `arch` (`sm_90`).
fn compile_cubin(source: &str, arch: &str) -> Result<Vec<u8>, String> {
    use cudarc::nvrtc::{result, sys};
    let src = std::ffi::CString::new(source).map_err(|e| e.to_string())?;
    let prog = result::create_program(&src, None).map_err(|e| e.to_string())?;
    let options = [format!("--gpu-architecture={arch}")];
    // SAFETY: `prog` was created above and is destroyed below, after its last use; `src`
    // outlives it.
    let out = match unsafe { result::compile_program(prog, &options) } {
        Err(e) => Err(format!("{e:?}: {}", nvrtc_log(prog))),
        Ok(()) => {
            let mut size = 0usize;
            // SAFETY: as above; `size` is a valid out-pointer, then `image` has `size` bytes.
            unsafe { sys::nvrtcGetCUBINSize(prog, &mut size) }
                .result()
                .and_then(|()| {
                    let mut image = vec![0u8; size];
                    // SAFETY: as above.
                    unsafe { sys::nvrtcGetCUBIN(prog, image.as_mut_ptr().cast()) }
                        .result()
                        .map(|()| image)
                })
                .map_err(|e| format!("{e:?}"))
                .and_then(|image| {
                    if image.is_empty() {
                        Err("NVRTC returned no machine code".to_owned())
                    } else {
                        Ok(image)
                    }
                })
        }
    };
    // SAFETY: `prog` is live and not used afterwards.
    let _ = unsafe { result::destroy_program(prog) };
    out
}

/// Compiles `source` for `target`.
fn compile(source: &str, target: Target, cc: (i32, i32)) -> Result<Compiled, GpuUnavailable> {
    match target {
        Target::Cubin => compile_cubin(source, &target.arch(cc))
            .map(Compiled::Cubin)
            .map_err(|log| GpuUnavailable::Compile {
                arch: "sm (the device's own)",
                log,
            }),
        Target::Ptx(arch) => {
            let options = CompileOptions {
                arch: Some(arch),
                ..CompileOptions::default()
            };
            compile_ptx_with_opts(source, options)
                .map(|ptx| Compiled::Ptx(ptx.to_src()))
                .map_err(|e| {
                    let log = match &e {
                        CompileError::CompileError { log, .. } => {
                            log.to_string_lossy().into_owned()
                        }
                        other => other.to_string(),
                    };
                    GpuUnavailable::Compile { arch, log }
                })
        }
    }
}

/// Compiles the kernels for the first target NVRTC accepts (the device's own architecture,
/// else the newest PTX at or below it), writing them to the cache in `dir` if given.
fn compile_first(
    source: &str,
    cc: (i32, i32),
    dir: Option<&Path>,
) -> Result<(Compiled, String), GpuUnavailable> {
    let mut first_error = None;
    for target in Target::all(cc) {
        match compile(source, target, cc) {
            Ok(compiled) => {
                let arch = target.arch(cc);
                if let Some(dir) = dir {
                    // A cache that cannot be written only costs the next process a compile.
                    let file = cache_file(dir, source, &arch);
                    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
                    let _ = std::fs::create_dir_all(dir)
                        .and_then(|()| std::fs::write(&tmp, compiled.bytes()))
                        .and_then(|()| std::fs::rename(&tmp, &file));
                }
                return Ok((compiled, arch));
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or(GpuUnavailable::Compile {
        arch: "none",
        log: format!("no target for compute capability {}.{}", cc.0, cc.1),
    }))
}

/// Compiles the kernels for a device of compute capability `cc` into the cache folder `dir`
/// without a device (NVRTC alone), so that a prover started later with that cache loads them
/// at once. Returns the cache file.
///
/// # Errors
/// [`GpuUnavailable::NoNvrtcLibrary`] or [`GpuUnavailable::Compile`].
pub fn precompile_kernels(dir: &Path, cc: (i32, i32)) -> Result<PathBuf, GpuUnavailable> {
    crate::groth16::gpu::guarded("compiling the kernels", || {
        find_nvrtc()?;
        let source = kernel_source();
        let (_, arch) = compile_first(&source, cc, Some(dir))?;
        Ok(cache_file(dir, &source, &arch))
    })
}

impl Device {
    /// Finds the libraries and device `options.device`, then loads the kernels (from the PTX
    /// cache, or compiled by NVRTC and cached).
    pub(super) fn open(options: &GpuOptions) -> Result<Self, GpuUnavailable> {
        find_driver()?;
        let count = CudaContext::device_count().map_err(driver_err("counting devices"))?;
        let count = usize::try_from(count).unwrap_or(0);
        if options.device >= count {
            return Err(GpuUnavailable::NoDevice {
                ordinal: options.device,
                count,
            });
        }
        let ctx = CudaContext::new(options.device).map_err(driver_err("creating the context"))?;
        let cc = ctx
            .compute_capability()
            .map_err(driver_err("reading the compute capability"))?;
        let name = ctx.name().map_err(driver_err("reading the device name"))?;
        let source = kernel_source();

        // The cache: the first target whose file exists and loads.
        let dir = options.kernel_cache.as_deref();
        let cached = dir.and_then(|dir| {
            Target::all(cc).into_iter().find_map(|target| {
                let arch = target.arch(cc);
                let compiled = Compiled::read(&cache_file(dir, &source, &arch))?;
                let module = ctx.load_module(compiled.into_module_source()).ok()?;
                Some((module, arch))
            })
        });
        let (module, arch, kernels_from_cache) = match cached {
            Some((module, arch)) => (module, arch, true),
            None => {
                find_nvrtc()?;
                let (compiled, arch) = compile_first(&source, cc, dir)?;
                let module = ctx
                    .load_module(compiled.into_module_source())
                    .map_err(driver_err("loading the compiled kernels"))?;
                (module, arch, false)
            }
        };
        let f = |name: &str| {
            module
                .load_function(name)
                .map_err(driver_err("finding a kernel"))
        };
        let curve = |prefix: &str| -> Result<CurveKernels, GpuUnavailable> {
            Ok(CurveKernels {
                accumulate: f(&format!("{prefix}_accumulate"))?,
                fixup: f(&format!("{prefix}_fixup"))?,
                reduce: f(&format!("{prefix}_reduce"))?,
                sum_groups: f(&format!("{prefix}_sum_groups"))?,
            })
        };
        Ok(Self {
            stream: ctx.default_stream(),
            count_digits: f("msm_count_digits")?,
            scatter_digits: f("msm_scatter_digits")?,
            scan_chunk_sums: f("scan_chunk_sums")?,
            scan_chunks: f("scan_chunks")?,
            g1: curve("g1")?,
            g2: curve("g2")?,
            info: DeviceInfo {
                name,
                compute_capability: cc,
                arch,
                kernels_from_cache,
                libraries: mapped_cuda_libraries(),
            },
        })
    }

    fn curve<P: DeviceCurve>(&self) -> &CurveKernels
    where
        P::BaseField: FieldLimbs,
    {
        if P::PREFIX == "g2" {
            &self.g2
        } else {
            &self.g1
        }
    }

    /// Uploads the non-identity points of `bases`.
    pub(super) fn upload<P: DeviceCurve>(
        &self,
        bases: &[Affine<P>],
    ) -> Result<DeviceBases, DeviceError>
    where
        P::BaseField: FieldLimbs,
    {
        let w = 2 * <P::BaseField as FieldLimbs>::WORDS;
        let mut words = Vec::with_capacity(bases.len() * w);
        let mut kept = Vec::with_capacity(bases.len());
        for (i, p) in bases.iter().enumerate() {
            // The identity adds nothing: left out, its scalars dropped on the host.
            if !p.is_zero() {
                push_affine(p, &mut words);
                kept.push(u32_of("number of bases", i)?);
            }
        }
        let count = kept.len();
        let kept = (count != bases.len()).then_some(kept);
        // A zero-length allocation is refused by some drivers: keep one word.
        if words.is_empty() {
            words.push(0);
        }
        let words = self.stream.clone_htod(&words).at("uploading bases")?;
        Ok(DeviceBases { words, kept, count })
    }

    /// `Σᵢ sᵢ·Pᵢ` for every scalar vector (each as long as the bases the caller uploaded).
    pub(super) fn msm<P: DeviceCurve>(
        &self,
        bases: &DeviceBases,
        scalars: &[&[ScalarRepr]],
    ) -> Result<Vec<Projective<P>>, DeviceError>
    where
        P::BaseField: FieldLimbs,
    {
        let n = bases.count;
        if n == 0 {
            return Ok(vec![Projective::zero(); scalars.len()]);
        }
        let plan = Plan::for_len(n);
        let windows = plan.windows as usize;
        let per_pass = (MAX_ENTRIES / (n * windows))
            .min(MAX_BUCKETS / (windows * plan.buckets_per_window() as usize))
            .max(1);
        let mut out = Vec::with_capacity(scalars.len());
        for part in scalars.chunks(per_pass) {
            out.extend(self.pass::<P>(plan, bases, part)?);
        }
        Ok(out)
    }

    fn launch_cfg(threads: usize, block: u32) -> Result<LaunchConfig, DeviceError> {
        let blocks = u32_of("thread blocks", threads.div_ceil(block as usize))?;
        Ok(LaunchConfig {
            grid_dim: (blocks.max(1), 1, 1),
            block_dim: (block, 1, 1),
            shared_mem_bytes: 0,
        })
    }

    /// Exclusive prefix sum of `values[..len]` into `len + 1` offsets (the last is the total).
    fn exclusive_scan(
        &self,
        values: &CudaSlice<u32>,
        len: usize,
    ) -> Result<CudaSlice<u32>, DeviceError> {
        let chunks = len.div_ceil(SCAN_CHUNK as usize);
        let len32 = u32_of("scan length", len)?;
        let bases = if chunks <= 1 {
            self.stream
                .alloc_zeros::<u32>(1)
                .at("allocating the scan")?
        } else {
            let mut sums = self
                .stream
                .alloc_zeros::<u32>(chunks)
                .at("allocating the scan")?;
            let mut b = self.stream.launch_builder(&self.scan_chunk_sums);
            b.arg(values).arg(&len32).arg(&SCAN_CHUNK).arg(&mut sums);
            // SAFETY: scan_chunk_sums(const u32* values, u32 len, u32 chunk, u32* sums): one
            // thread per chunk of `values[..len]`, `sums` has one slot per chunk.
            unsafe { b.launch(Self::launch_cfg(chunks, BLOCK_PLAIN)?) }.at("scan (chunk sums)")?;
            self.exclusive_scan(&sums, chunks)?
        };
        let mut out = self
            .stream
            .alloc_zeros::<u32>(len + 1)
            .at("allocating the scan")?;
        let mut b = self.stream.launch_builder(&self.scan_chunks);
        b.arg(values)
            .arg(&len32)
            .arg(&SCAN_CHUNK)
            .arg(&bases)
            .arg(&mut out);
        // SAFETY: scan_chunks(const u32* values, u32 len, u32 chunk, const u32* bases, u32* out):
        // one thread per chunk, `bases` has one entry per chunk, `out` has len + 1 slots.
        unsafe { b.launch(Self::launch_cfg(chunks.max(1), BLOCK_PLAIN)?) }.at("scan (chunks)")?;
        Ok(out)
    }

    /// One device pass over a batch that fits [`MAX_ENTRIES`] and [`MAX_BUCKETS`].
    fn pass<P: DeviceCurve>(
        &self,
        plan: Plan,
        bases: &DeviceBases,
        scalars: &[&[ScalarRepr]],
    ) -> Result<Vec<Projective<P>>, DeviceError>
    where
        P::BaseField: FieldLimbs,
    {
        let n = bases.count;
        let batch = scalars.len();
        let windows = plan.windows as usize;
        let nb = plan.buckets_per_window() as usize;
        let pw = 4 * <P::BaseField as FieldLimbs>::WORDS;
        let stream = &self.stream;
        let kernels = self.curve::<P>();

        // Scalars of the uploaded bases only, vector after vector.
        let host = gather_scalars(bases.kept.as_deref(), n, scalars);
        let d_scalars = stream.clone_htod(&host).at("uploading scalars")?;
        let (n32, batch32) = (u32_of("bases", n)?, u32_of("batch", batch)?);
        let (c32, windows32) = (plan.window_bits, plan.windows);
        let num_buckets = batch * windows * nb;
        let num_buckets32 = u32_of("buckets", num_buckets)?;
        u32_of("digits", batch * n * windows)?;

        // 1. Histogram of the digits.
        let mut counts = stream
            .alloc_zeros::<u32>(num_buckets)
            .at("allocating counts")?;
        let mut b = stream.launch_builder(&self.count_digits);
        b.arg(&d_scalars)
            .arg(&n32)
            .arg(&batch32)
            .arg(&c32)
            .arg(&windows32)
            .arg(&mut counts);
        // SAFETY: msm_count_digits(const u32* scalars, u32 n, u32 batch, u32 c, u32 windows,
        // u32* counts): one thread per scalar (batch·n), 8 limbs each; counts has
        // batch·windows·2^(c−1) slots.
        unsafe { b.launch(Self::launch_cfg(batch * n, BLOCK_PLAIN)?) }.at("counting digits")?;

        // 2. Bucket offsets.
        let offsets = self.exclusive_scan(&counts, num_buckets)?;
        let total = stream
            .clone_dtoh(&offsets.slice(num_buckets..))
            .at("reading the digit count")?
            .first()
            .copied()
            .unwrap_or(0);
        if total == 0 {
            return Ok(vec![Projective::zero(); batch]);
        }
        let len = total as usize;

        // 3. Scatter (point index | sign) into bucket order.
        let mut cursor = stream.clone_dtod(&offsets).at("copying offsets")?;
        let mut entries = stream.alloc_zeros::<u32>(len).at("allocating entries")?;
        let mut keys = stream.alloc_zeros::<u32>(len).at("allocating keys")?;
        let mut b = stream.launch_builder(&self.scatter_digits);
        b.arg(&d_scalars)
            .arg(&n32)
            .arg(&batch32)
            .arg(&c32)
            .arg(&windows32)
            .arg(&mut cursor)
            .arg(&mut entries)
            .arg(&mut keys);
        // SAFETY: msm_scatter_digits(const u32* scalars, u32 n, u32 batch, u32 c, u32 windows,
        // u32* cursor, u32* sorted_entry, u32* sorted_key): as counting; cursor starts at the
        // offsets, so positions stay below `total`, the length of entries and keys.
        unsafe { b.launch(Self::launch_cfg(batch * n, BLOCK_PLAIN)?) }.at("scattering digits")?;

        // 4–5. Bucket sums: chunks, then the buckets split across chunks.
        let chunks = len.div_ceil(CHUNK as usize);
        let mut buckets = stream
            .alloc_zeros::<u32>(num_buckets * pw)
            .at("allocating buckets")?;
        let mut left = stream
            .alloc_zeros::<u32>(chunks * pw)
            .at("allocating chunk pieces")?;
        let mut right = stream
            .alloc_zeros::<u32>(chunks * pw)
            .at("allocating chunk pieces")?;
        let mut b = stream.launch_builder(&kernels.accumulate);
        b.arg(&bases.words)
            .arg(&entries)
            .arg(&keys)
            .arg(&total)
            .arg(&CHUNK)
            .arg(&mut buckets)
            .arg(&mut left)
            .arg(&mut right);
        // SAFETY: <g>_accumulate(const u32* bases, const u32* sorted_entry, const u32*
        // sorted_key, u32 len, u32 chunk, u32* buckets, u32* left, u32* right): one thread per
        // chunk; entries index uploaded bases (< count); keys < num_buckets; left/right have one
        // point per chunk.
        unsafe { b.launch(Self::launch_cfg(chunks, BLOCK_POINTS)?) }.at("accumulating buckets")?;
        let mut b = stream.launch_builder(&kernels.fixup);
        b.arg(&offsets)
            .arg(&num_buckets32)
            .arg(&CHUNK)
            .arg(&left)
            .arg(&right)
            .arg(&mut buckets);
        // SAFETY: <g>_fixup(const u32* offsets, u32 num_buckets, u32 chunk, const u32* left,
        // const u32* right, u32* buckets): one thread per bucket; offsets has num_buckets + 1
        // entries.
        unsafe { b.launch(Self::launch_cfg(num_buckets, BLOCK_POINTS)?) }.at("joining buckets")?;

        // 6. Weighted groups of buckets.
        let group = plan.group() as usize;
        let groups = nb / group;
        let all_windows = batch * windows;
        let all_windows32 = u32_of("windows", all_windows)?;
        let (nb32, group32) = (u32_of("buckets", nb)?, plan.group());
        let mut sums = stream
            .alloc_zeros::<u32>(all_windows * groups * pw)
            .at("allocating group sums")?;
        let mut b = stream.launch_builder(&kernels.reduce);
        b.arg(&buckets)
            .arg(&all_windows32)
            .arg(&nb32)
            .arg(&group32)
            .arg(&mut sums);
        // SAFETY: <g>_reduce(const u32* buckets, u32 num_windows, u32 nb, u32 seg, u32* out):
        // one thread per (window, group); buckets has num_windows·nb points, out one per thread.
        unsafe { b.launch(Self::launch_cfg(all_windows * groups, BLOCK_POINTS)?) }
            .at("weighting buckets")?;

        // 7. Groups added, 32 at a time, down to one point per window.
        let mut per_window = groups;
        while per_window > 1 {
            let group_len = per_window.min(32);
            let next = per_window / group_len;
            let mut out = stream
                .alloc_zeros::<u32>(all_windows * next * pw)
                .at("allocating window sums")?;
            let (groups32, len32) = (
                u32_of("groups", all_windows * next)?,
                u32_of("group", group_len)?,
            );
            let mut b = stream.launch_builder(&kernels.sum_groups);
            b.arg(&sums).arg(&groups32).arg(&len32).arg(&mut out);
            // SAFETY: <g>_sum_groups(const u32* in, u32 groups, u32 group_len, u32* out): one
            // thread per group; `sums` holds groups·group_len points, out one per group.
            unsafe { b.launch(Self::launch_cfg(all_windows * next, BLOCK_POINTS)?) }
                .at("adding window sums")?;
            sums = out;
            per_window = next;
        }

        // Final sum on the host.
        let words = stream.clone_dtoh(&sums).at("reading window sums")?;
        let window_sums = words
            .chunks(pw)
            .map(xyzz_to_projective::<P>)
            .collect::<Option<Vec<_>>>()
            .ok_or(DeviceError::Unreduced)?;
        Ok(window_sums
            .chunks(windows)
            .map(|w| plan.combine(w))
            .collect())
    }
}
