//! Choosing the MSM backend: the CPU, or the CUDA backend when the `gpu` feature is built and a
//! usable device is found, with the reason whenever the GPU is asked for and not used.
//!
//! [`select_backend`] never fails: asked for [`BackendKind::Gpu`] it returns the GPU backend,
//! or the CPU backend together with a [`GpuUnavailable`] saying why (the feature is not built,
//! no CUDA driver or NVRTC library, no device, the kernels did not compile or load, or the
//! device's results differed from the CPU's in the start-up self-test). Proofs are the same
//! bytes on either backend for the same randomness; only the speed differs.
use super::msm::{CpuBackend, MsmBackend};
use std::path::PathBuf;
use thiserror::Error;

/// Which MSM backend a prover asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendKind {
    /// arkworks' MSM on the CPU.
    Cpu,
    /// The CUDA backend (feature `gpu`), falling back to the CPU where it cannot run.
    Gpu,
}

/// Settings of the CUDA backend.
#[derive(Clone, Debug, Default)]
pub struct GpuOptions {
    /// Device ordinal (0 = the first GPU).
    pub device: usize,
    /// Folder where compiled kernels (machine code, or PTX for a GPU newer than NVRTC) are kept,
    /// named by a hash of their source and target architecture, so that later processes skip
    /// NVRTC; `None` compiles in every process. The library reads and writes there only when
    /// asked: binaries pass their cache folder.
    pub kernel_cache: Option<PathBuf>,
}

impl GpuOptions {
    /// Device 0 and the kernel cache of a binary: `$CORRIDOR_KERNEL_CACHE`, else
    /// `$XDG_CACHE_HOME/corridor/kernels`, else `$HOME/.cache/corridor/kernels`.
    #[must_use]
    pub fn from_env() -> Self {
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let kernel_cache = var("CORRIDOR_KERNEL_CACHE").or_else(|| {
            var("XDG_CACHE_HOME")
                .or_else(|| var("HOME").map(|h| h.join(".cache")))
                .map(|c| c.join("corridor").join("kernels"))
        });
        Self {
            device: 0,
            kernel_cache,
        }
    }
}

/// Why the GPU backend is not used.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum GpuUnavailable {
    /// This build has no `gpu` feature.
    #[error("this build has no GPU support (build with --features gpu)")]
    NotBuilt,
    /// The CUDA driver library (`libcuda`) was not found.
    #[error("no CUDA driver library (libcuda.so) found")]
    NoDriverLibrary,
    /// The NVRTC library (`libnvrtc`) was not found.
    #[error("no NVRTC library (libnvrtc.so) found; set CORRIDOR_NVRTC_LIB to its path")]
    NoNvrtcLibrary,
    /// The driver is there but reports no device (or not the one asked for).
    #[error("no CUDA device {ordinal} (the driver reports {count})")]
    NoDevice {
        /// The ordinal asked for.
        ordinal: usize,
        /// How many devices the driver reports.
        count: usize,
    },
    /// A CUDA driver call failed while setting up.
    #[error("CUDA driver, {step}: {message}")]
    Driver {
        /// What was being done.
        step: &'static str,
        /// The driver's error.
        message: String,
    },
    /// NVRTC could not compile the kernels.
    #[error("NVRTC could not compile the MSM kernels for {arch}: {log}")]
    Compile {
        /// The target architecture.
        arch: &'static str,
        /// NVRTC's log.
        log: String,
    },
    /// The device's MSM differed from the CPU's in the start-up self-test.
    #[error("start-up self-test: the device's {curve} MSM of {len} points differs from the CPU's")]
    SelfTest {
        /// `"G1"` or `"G2"`.
        curve: &'static str,
        /// Number of points of the test.
        len: usize,
    },
    /// The CUDA library panicked (for example a symbol missing from an old driver).
    #[error("the CUDA library panicked during {step}: {message}")]
    Panicked {
        /// What was being done.
        step: &'static str,
        /// The panic's message.
        message: String,
    },
}

impl GpuUnavailable {
    /// Whether the reason is that this machine has no GPU to use (no CUDA driver or NVRTC
    /// library, or no device), as on CI, rather than a GPU that failed.
    #[must_use]
    pub fn is_no_gpu(&self) -> bool {
        matches!(
            self,
            GpuUnavailable::NoDriverLibrary
                | GpuUnavailable::NoNvrtcLibrary
                | GpuUnavailable::NoDevice { .. }
        )
    }
}

/// The backend [`select_backend`] chose, and why the GPU is not it when it was asked for.
pub struct SelectedBackend {
    /// The backend to prove with.
    pub backend: Box<dyn MsmBackend>,
    /// Set when [`BackendKind::Gpu`] was asked for and the CPU is used instead.
    pub gpu_unavailable: Option<GpuUnavailable>,
}

impl core::fmt::Debug for SelectedBackend {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SelectedBackend")
            .field("backend", &self.backend.name())
            .field("gpu_unavailable", &self.gpu_unavailable)
            .finish()
    }
}

/// The backend of `kind`: the CPU, or the GPU when it is built, found, and passes its self-test
/// (else the CPU, with the reason).
#[must_use]
pub fn select_backend(kind: BackendKind, options: &GpuOptions) -> SelectedBackend {
    match kind {
        BackendKind::Cpu => SelectedBackend {
            backend: Box::new(CpuBackend),
            gpu_unavailable: None,
        },
        BackendKind::Gpu => match gpu_backend(options) {
            Ok(backend) => SelectedBackend {
                backend,
                gpu_unavailable: None,
            },
            Err(why) => SelectedBackend {
                backend: Box::new(CpuBackend),
                gpu_unavailable: Some(why),
            },
        },
    }
}

#[cfg(feature = "gpu")]
fn gpu_backend(options: &GpuOptions) -> Result<Box<dyn MsmBackend>, GpuUnavailable> {
    Ok(Box::new(super::gpu::GpuBackend::new(options)?))
}

#[cfg(not(feature = "gpu"))]
fn gpu_backend(_: &GpuOptions) -> Result<Box<dyn MsmBackend>, GpuUnavailable> {
    Err(GpuUnavailable::NotBuilt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernel_cache_comes_from_the_environment() {
        let options = GpuOptions::from_env();
        assert_eq!(options.device, 0);
        if std::env::var_os("CORRIDOR_KERNEL_CACHE").is_none() && std::env::var_os("HOME").is_some()
        {
            let cache = options.kernel_cache.unwrap();
            assert!(cache.ends_with("corridor/kernels"), "{}", cache.display());
        }
    }

    #[test]
    fn cpu_is_cpu_and_gpu_says_why_it_is_not_used() {
        let cpu = select_backend(BackendKind::Cpu, &GpuOptions::default());
        assert_eq!(cpu.backend.name(), "cpu");
        assert_eq!(cpu.gpu_unavailable, None);
        // The device checks carry compiled kernels in CORRIDOR_KERNEL_CACHE.
        let gpu = select_backend(BackendKind::Gpu, &GpuOptions::from_env());
        match &gpu.gpu_unavailable {
            // The CPU machines of CI: no feature, or no CUDA library, or no device.
            Some(why) => {
                assert_eq!(gpu.backend.name(), "cpu");
                if cfg!(feature = "gpu") {
                    assert!(why.is_no_gpu(), "{why}");
                } else {
                    assert_eq!(why, &GpuUnavailable::NotBuilt);
                }
            }
            None => assert_eq!(gpu.backend.name(), "gpu"),
        }
    }
}
