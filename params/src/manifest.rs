//! The parameter folder: key files and `manifest.json` with the SHA-256 of each file.
//!
//! ```text
//! DIR/kyc_proving_key.bin     ProvingKey::to_bytes
//! DIR/kyc_verifying_key.bin   VerifyingKey::to_bytes
//! DIR/manifest.json           { format, circuit, fingerprint, constraints, public_inputs,
//!                               dev_seed, [ceremony,] files: [{ name, sha256, bytes }] }
//! ```
//! Every load checks the file against the manifest first, so a corrupted or swapped file is
//! named, never half-used. Keys come either from a public dev seed (`dev_seed`) or from a
//! ceremony (`ceremony`: its transcript hash and contributions); a node of a non-dev network
//! loads them with [`ParamsDir::load_pinned_verifying_key`], which refuses dev-seed keys and
//! any whose hashes differ from genesis's pins.

use corridor_circuits::{CircuitFingerprint, KycCircuit};
use corridor_core::genesis::Genesis;
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};

use crate::keys::sha256_hex;
use crate::{ParamsError, ProvingKey, VerifyingKey};

/// The manifest's format tag.
pub const FORMAT: &str = "corridor-params/v1";
/// The proving key's file name.
pub const PROVING_KEY_FILE: &str = "kyc_proving_key.bin";
/// The verifying key's file name.
pub const VERIFYING_KEY_FILE: &str = "kyc_verifying_key.bin";
/// The manifest's file name.
pub const MANIFEST_FILE: &str = "manifest.json";

/// The KYC circuit's versioned name in manifests.
pub const KYC_CIRCUIT_NAME: &str = "corridor-kyc/v1";

/// What the parameters are for: the caller's circuit, described.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircuitInfo {
    /// Versioned circuit name, e.g. `corridor-kyc/v1`.
    pub name: String,
    /// The SHA-256 of the circuit's canonical R1CS matrices
    /// ([`corridor_circuits::fingerprint`]), hex.
    pub fingerprint: String,
    /// Number of constraints.
    pub constraints: usize,
    /// Number of public inputs.
    pub public_inputs: usize,
}

impl CircuitInfo {
    /// Describes the circuit of fingerprint `fp` under `name`.
    pub fn from_fingerprint(name: &str, fp: &CircuitFingerprint) -> Self {
        CircuitInfo {
            name: name.to_string(),
            fingerprint: hex::encode(fp.matrices_sha256),
            constraints: fp.num_constraints,
            public_inputs: fp.num_public_inputs,
        }
    }

    /// The KYC circuit compiled into this binary, described: it is synthesised once, without
    /// values (a fraction of a second), and fingerprinted. Parameters made for another circuit
    /// are refused by [`ParamsDir::load_proving_key`] and [`ParamsDir::load_verifying_key`].
    pub fn kyc() -> Result<Self, ParamsError> {
        Ok(Self::from_fingerprint(
            KYC_CIRCUIT_NAME,
            &KycCircuit::fingerprint()?,
        ))
    }
}

/// One file of the folder with its hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// File name inside the folder.
    pub name: String,
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// One contribution of the ceremony that made the keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributionRecord {
    /// 1 or 2.
    pub phase: u8,
    /// Its index in the phase (from 1).
    pub index: u32,
    /// The contributor's name.
    pub name: String,
    /// The hash of its step (what the contributor published), hex.
    pub hash: String,
}

/// The ceremony that made the keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CeremonyRecord {
    /// The transcript hash (the hash of its last step), hex: what genesis pins as
    /// `ceremony_hash`.
    pub transcript_hash: String,
    /// Where phase 1 started (the generators, or a snarkjs `.ptau` and its SHA-256).
    pub phase1_origin: String,
    /// Every contribution, in transcript order.
    pub contributions: Vec<ContributionRecord>,
}

/// `manifest.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// The circuit.
    pub circuit: CircuitInfo,
    /// `Some(seed)` when the keys come from a public dev seed (forgeable).
    pub dev_seed: Option<u64>,
    /// `Some` when the keys come from a ceremony (absent from dev-seed manifests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ceremony: Option<CeremonyRecord>,
    /// The key files.
    pub files: Vec<FileEntry>,
}

/// What genesis pins about the KYC parameters (DESIGN.md §6): whether the network is a dev one,
/// the verifying key's SHA-256 and the ceremony's transcript hash.
///
/// A node loads its verifying key with these two calls, and nothing else:
/// ```no_run
/// # fn node(genesis: &corridor_core::genesis::Genesis) -> Result<(), corridor_params::ParamsError> {
/// use corridor_params::{CircuitInfo, ParamsDir, ParamsPins};
/// let pins = ParamsPins::from_genesis(genesis);
/// let vk = ParamsDir::new("params").load_pinned_verifying_key(&CircuitInfo::kyc()?, &pins)?;
/// # let _ = vk; Ok(()) }
/// ```
/// On a non-dev network this refuses dev-seed keys ([`ParamsError::DevSeedRefused`]), keys no
/// ceremony made ([`ParamsError::NoCeremony`]), another transcript
/// ([`ParamsError::CeremonyHashMismatch`]) and another key
/// ([`ParamsError::VerifyingKeyHashMismatch`]); a dev network checks the key's hash only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamsPins {
    /// A dev network accepts dev-seed keys and does not check the transcript hash.
    pub dev_network: bool,
    /// SHA-256 of the verifying key's canonical bytes.
    pub vk_hash: [u8; 32],
    /// The ceremony's transcript hash.
    pub ceremony_hash: [u8; 32],
}

impl ParamsPins {
    /// The pins of `genesis`.
    pub fn from_genesis(genesis: &Genesis) -> Self {
        ParamsPins {
            dev_network: genesis.dev,
            vk_hash: genesis.vk_hash,
            ceremony_hash: genesis.ceremony_hash,
        }
    }
}

impl Manifest {
    fn entry(&self, name: &str) -> Result<&FileEntry, ParamsError> {
        self.files
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| ParamsError::Manifest(format!("no entry for {name}")))
    }
}

/// A parameter folder on disk.
#[derive(Clone, Debug)]
pub struct ParamsDir {
    dir: PathBuf,
}

fn read(path: &Path) -> Result<Vec<u8>, ParamsError> {
    fs::read(path).map_err(|source| ParamsError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), ParamsError> {
    fs::write(path, bytes).map_err(|source| ParamsError::Io {
        path: path.to_path_buf(),
        source,
    })
}

impl ParamsDir {
    /// The folder at `dir` (nothing is read yet).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        ParamsDir { dir: dir.into() }
    }

    /// The folder's path.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Writes both keys and the manifest, creating the folder; `dev_seed` is recorded.
    pub fn write(
        &self,
        circuit: &CircuitInfo,
        pk: &ProvingKey,
        dev_seed: Option<u64>,
    ) -> Result<Manifest, ParamsError> {
        self.write_with(circuit, pk, dev_seed, None)
    }

    /// Writes both keys and the manifest of keys made by a ceremony, creating the folder.
    pub fn write_ceremony(
        &self,
        circuit: &CircuitInfo,
        pk: &ProvingKey,
        ceremony: CeremonyRecord,
    ) -> Result<Manifest, ParamsError> {
        self.write_with(circuit, pk, None, Some(ceremony))
    }

    fn write_with(
        &self,
        circuit: &CircuitInfo,
        pk: &ProvingKey,
        dev_seed: Option<u64>,
        ceremony: Option<CeremonyRecord>,
    ) -> Result<Manifest, ParamsError> {
        let vk = pk.verifying_key();
        vk.check_public_inputs(circuit.public_inputs)?;
        fs::create_dir_all(&self.dir).map_err(|source| ParamsError::Io {
            path: self.dir.clone(),
            source,
        })?;
        let mut files = Vec::new();
        for (name, bytes) in [
            (PROVING_KEY_FILE, pk.to_bytes()),
            (VERIFYING_KEY_FILE, vk.to_bytes()),
        ] {
            write(&self.dir.join(name), &bytes)?;
            files.push(FileEntry {
                name: name.to_string(),
                sha256: sha256_hex(&bytes),
                bytes: bytes.len() as u64,
            });
        }
        let manifest = Manifest {
            format: FORMAT.to_string(),
            circuit: circuit.clone(),
            dev_seed,
            ceremony,
            files,
        };
        let json = serde_json::to_vec_pretty(&manifest)
            .map_err(|e| ParamsError::Manifest(e.to_string()))?;
        write(&self.dir.join(MANIFEST_FILE), &json)?;
        Ok(manifest)
    }

    /// Reads and parses `manifest.json` (no file hashes checked).
    pub fn manifest(&self) -> Result<Manifest, ParamsError> {
        let bytes = read(&self.dir.join(MANIFEST_FILE))?;
        let manifest: Manifest = serde_json::from_slice(&bytes)
            .map_err(|e| ParamsError::Manifest(format!("{MANIFEST_FILE}: {e}")))?;
        if manifest.format != FORMAT {
            return Err(ParamsError::Manifest(format!(
                "format {:?}, expected {FORMAT:?}",
                manifest.format
            )));
        }
        for name in [PROVING_KEY_FILE, VERIFYING_KEY_FILE] {
            manifest.entry(name)?;
        }
        Ok(manifest)
    }

    /// Reads one file and checks it against the manifest.
    fn read_checked(&self, manifest: &Manifest, name: &str) -> Result<Vec<u8>, ParamsError> {
        let entry = manifest.entry(name)?;
        let bytes = read(&self.dir.join(name))?;
        let actual = sha256_hex(&bytes);
        if actual != entry.sha256 {
            return Err(ParamsError::HashMismatch {
                file: name.to_string(),
                expected: entry.sha256.clone(),
                actual,
            });
        }
        Ok(bytes)
    }

    /// Checks every file of the manifest against its hash; names the first that differs.
    pub fn verify(&self) -> Result<Manifest, ParamsError> {
        let manifest = self.manifest()?;
        for entry in &manifest.files {
            self.read_checked(&manifest, &entry.name)?;
        }
        Ok(manifest)
    }

    fn check_circuit(manifest: &Manifest, expected: &CircuitInfo) -> Result<(), ParamsError> {
        if &manifest.circuit != expected {
            return Err(ParamsError::CircuitMismatch {
                expected: format!("{} {}", expected.name, expected.fingerprint),
                found: format!("{} {}", manifest.circuit.name, manifest.circuit.fingerprint),
            });
        }
        Ok(())
    }

    /// Loads the verifying key for `expected`: hash checked, decoded with validation, input
    /// count checked. `allow_dev_seed` is false on non-dev networks.
    pub fn load_verifying_key(
        &self,
        expected: &CircuitInfo,
        allow_dev_seed: bool,
    ) -> Result<VerifyingKey, ParamsError> {
        let manifest = self.manifest()?;
        Self::check_circuit(&manifest, expected)?;
        if let (Some(seed), false) = (manifest.dev_seed, allow_dev_seed) {
            return Err(ParamsError::DevSeedRefused(seed));
        }
        let vk = VerifyingKey::from_bytes(&self.read_checked(&manifest, VERIFYING_KEY_FILE)?)?;
        vk.check_public_inputs(expected.public_inputs)?;
        Ok(vk)
    }

    /// Loads the verifying key for `expected` as a node of the network `pins` describes:
    /// [`Self::load_verifying_key`]'s checks, then on a non-dev network the keys must come from
    /// a ceremony whose transcript hash is the pinned one (dev-seed keys are refused), and on
    /// every network the key's SHA-256 must be the pinned one.
    ///
    /// # Errors
    /// [`ParamsError::DevSeedRefused`], [`ParamsError::NoCeremony`],
    /// [`ParamsError::CeremonyHashMismatch`], [`ParamsError::VerifyingKeyHashMismatch`], or the
    /// folder's own errors.
    pub fn load_pinned_verifying_key(
        &self,
        expected: &CircuitInfo,
        pins: &ParamsPins,
    ) -> Result<VerifyingKey, ParamsError> {
        let manifest = self.manifest()?;
        if !pins.dev_network {
            if let Some(seed) = manifest.dev_seed {
                return Err(ParamsError::DevSeedRefused(seed));
            }
            let record = manifest.ceremony.as_ref().ok_or(ParamsError::NoCeremony)?;
            let found = hex_32(&record.transcript_hash).ok_or_else(|| {
                ParamsError::Manifest(format!(
                    "ceremony.transcript_hash {:?} is not 32 bytes of hex",
                    record.transcript_hash
                ))
            })?;
            if found != pins.ceremony_hash {
                return Err(ParamsError::CeremonyHashMismatch {
                    expected: pins.ceremony_hash,
                    found,
                });
            }
        }
        let vk = self.load_verifying_key(expected, pins.dev_network)?;
        let found = vk.sha256();
        if found != pins.vk_hash {
            return Err(ParamsError::VerifyingKeyHashMismatch {
                expected: pins.vk_hash,
                found,
            });
        }
        Ok(vk)
    }

    /// Loads the proving key for `expected`: hash checked, decoded with validation, its
    /// verifying key equal to the folder's.
    pub fn load_proving_key(&self, expected: &CircuitInfo) -> Result<ProvingKey, ParamsError> {
        let manifest = self.manifest()?;
        Self::check_circuit(&manifest, expected)?;
        let vk = VerifyingKey::from_bytes(&self.read_checked(&manifest, VERIFYING_KEY_FILE)?)?;
        let pk = ProvingKey::from_bytes(&self.read_checked(&manifest, PROVING_KEY_FILE)?)?;
        vk.check_public_inputs(expected.public_inputs)?;
        if pk.verifying_key() != vk {
            return Err(ParamsError::Manifest(format!(
                "{PROVING_KEY_FILE} and {VERIFYING_KEY_FILE} are not one key pair"
            )));
        }
        Ok(pk)
    }
}

/// 64 hex digits as 32 bytes.
fn hex_32(s: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{key_pair, product_info};

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "corridor-params-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn kyc_circuit_info_is_the_compiled_circuits() {
        let info = CircuitInfo::kyc().unwrap();
        let fp = KycCircuit::fingerprint().unwrap();
        assert_eq!(info.name, KYC_CIRCUIT_NAME);
        assert_eq!(
            info.public_inputs,
            corridor_circuits::kyc::NUM_PUBLIC_INPUTS
        );
        assert_eq!(info.constraints, fp.num_constraints);
        assert_eq!(info.fingerprint.len(), 64);
        assert!(corridor_circuits::kyc::KYC_CIRCUIT_FINGERPRINT
            .ends_with(&format!("sha256={}", info.fingerprint)));
    }

    #[test]
    fn write_verify_load_roundtrip() {
        let dir = ParamsDir::new(temp_dir("roundtrip"));
        let pk = key_pair(1);
        let info = product_info();
        let manifest = dir.write(&info, &pk, Some(1)).unwrap();
        assert_eq!(dir.verify().unwrap(), manifest);
        assert_eq!(dir.load_proving_key(&info).unwrap(), pk);
        assert_eq!(
            dir.load_verifying_key(&info, true).unwrap(),
            pk.verifying_key()
        );
        fs::remove_dir_all(dir.path()).unwrap();
    }

    #[test]
    fn corrupted_file_is_named_by_verify_and_refused_by_loading() {
        for file in [PROVING_KEY_FILE, VERIFYING_KEY_FILE] {
            let dir = ParamsDir::new(temp_dir(&format!("corrupt-{file}")));
            let info = product_info();
            dir.write(&info, &key_pair(2), None).unwrap();
            let path = dir.path().join(file);
            let mut bytes = fs::read(&path).unwrap();
            let middle = bytes.len() / 2;
            bytes[middle] ^= 1;
            fs::write(&path, &bytes).unwrap();
            match dir.verify() {
                Err(ParamsError::HashMismatch { file: named, .. }) => assert_eq!(named, file),
                other => panic!("{file}: expected a hash mismatch, got {other:?}"),
            }
            let loaded_pk = dir.load_proving_key(&info);
            assert!(
                matches!(&loaded_pk, Err(ParamsError::HashMismatch { file: named, .. }) if named == file),
                "{loaded_pk:?}"
            );
            if file == VERIFYING_KEY_FILE {
                let loaded_vk = dir.load_verifying_key(&info, true);
                assert!(
                    matches!(&loaded_vk, Err(ParamsError::HashMismatch { file: named, .. }) if named == file),
                    "{loaded_vk:?}"
                );
            }
            fs::remove_dir_all(dir.path()).unwrap();
        }
    }

    #[test]
    fn missing_file_and_bad_manifest_are_typed_errors() {
        let dir = ParamsDir::new(temp_dir("missing"));
        assert!(matches!(dir.verify(), Err(ParamsError::Io { .. })));
        let info = product_info();
        dir.write(&info, &key_pair(3), None).unwrap();
        fs::remove_file(dir.path().join(PROVING_KEY_FILE)).unwrap();
        assert!(
            matches!(dir.verify(), Err(ParamsError::Io { path, .. }) if path.ends_with(PROVING_KEY_FILE))
        );
        fs::write(dir.path().join(MANIFEST_FILE), b"{\"format\": 1}").unwrap();
        assert!(matches!(dir.verify(), Err(ParamsError::Manifest(_))));
        fs::remove_dir_all(dir.path()).unwrap();
    }

    #[test]
    fn wrong_circuit_and_dev_seed_are_refused() {
        let dir = ParamsDir::new(temp_dir("refuse"));
        let info = product_info();
        dir.write(&info, &key_pair(4), Some(4)).unwrap();
        assert!(matches!(
            dir.load_verifying_key(&info, false),
            Err(ParamsError::DevSeedRefused(4))
        ));
        let mut other = info.clone();
        other.fingerprint = "00".repeat(32);
        assert!(matches!(
            dir.load_verifying_key(&other, true),
            Err(ParamsError::CircuitMismatch { .. })
        ));
        assert!(matches!(
            dir.load_proving_key(&other),
            Err(ParamsError::CircuitMismatch { .. })
        ));
        fs::remove_dir_all(dir.path()).unwrap();
    }

    /// What a node does with genesis's pins ([`ParamsPins`]): a dev network loads dev-seed keys
    /// (their vk hash still checked); a non-dev one refuses them, refuses keys of no ceremony,
    /// and refuses a ceremony folder whose transcript hash or vk hash differ from the pins.
    #[test]
    fn pinned_loading_follows_the_genesis_pins() {
        let info = product_info();
        let dev = ParamsDir::new(temp_dir("pins-dev"));
        let dev_pk = key_pair(7);
        dev.write(&info, &dev_pk, Some(7)).unwrap();
        let dev_vk = dev_pk.verifying_key();
        let dev_pins = ParamsPins {
            dev_network: true,
            vk_hash: dev_vk.sha256(),
            ceremony_hash: [0; 32],
        };
        assert_eq!(
            dev.load_pinned_verifying_key(&info, &dev_pins).unwrap(),
            dev_vk
        );
        let non_dev = ParamsPins {
            dev_network: false,
            ..dev_pins
        };
        assert!(matches!(
            dev.load_pinned_verifying_key(&info, &non_dev),
            Err(ParamsError::DevSeedRefused(7))
        ));
        // A dev network still checks the vk hash.
        let wrong_vk = ParamsPins {
            vk_hash: [1; 32],
            ..dev_pins
        };
        assert!(matches!(
            dev.load_pinned_verifying_key(&info, &wrong_vk),
            Err(ParamsError::VerifyingKeyHashMismatch { expected, found })
                if expected == [1; 32] && found == dev_vk.sha256()
        ));

        // Keys written without a seed or a ceremony: refused outside a dev network.
        let bare = ParamsDir::new(temp_dir("pins-bare"));
        bare.write(&info, &key_pair(8), None).unwrap();
        assert!(matches!(
            bare.load_pinned_verifying_key(&info, &non_dev),
            Err(ParamsError::NoCeremony)
        ));

        // A ceremony folder: loads under its own pins; another transcript hash or another vk
        // hash is refused, named.
        let ceremony = ParamsDir::new(temp_dir("pins-ceremony"));
        let pk = key_pair(9);
        let transcript = [0x5a; 32];
        ceremony
            .write_ceremony(
                &info,
                &pk,
                CeremonyRecord {
                    transcript_hash: hex::encode(transcript),
                    phase1_origin: "the generators".into(),
                    contributions: vec![ContributionRecord {
                        phase: 2,
                        index: 1,
                        name: "HKMA".into(),
                        hash: hex::encode(transcript),
                    }],
                },
            )
            .unwrap();
        let vk = pk.verifying_key();
        let pins = ParamsPins {
            dev_network: false,
            vk_hash: vk.sha256(),
            ceremony_hash: transcript,
        };
        assert_eq!(
            ceremony.load_pinned_verifying_key(&info, &pins).unwrap(),
            vk
        );
        assert!(matches!(
            ceremony.load_pinned_verifying_key(&info, &ParamsPins { ceremony_hash: [6; 32], ..pins }),
            Err(ParamsError::CeremonyHashMismatch { expected, found })
                if expected == [6; 32] && found == transcript
        ));
        assert!(matches!(
            ceremony.load_pinned_verifying_key(&info, &ParamsPins { vk_hash: dev_vk.sha256(), ..pins }),
            Err(ParamsError::VerifyingKeyHashMismatch { expected, found })
                if expected == dev_vk.sha256() && found == vk.sha256()
        ));
        // The same folder on a dev network: its vk hash is what counts.
        let dev_network = ParamsPins {
            dev_network: true,
            ..pins
        };
        assert_eq!(
            ceremony
                .load_pinned_verifying_key(&info, &dev_network)
                .unwrap(),
            vk
        );
        for d in [dev, bare, ceremony] {
            fs::remove_dir_all(d.path()).unwrap();
        }
    }

    #[test]
    fn keys_of_another_pair_are_refused() {
        let dir = ParamsDir::new(temp_dir("pair"));
        let info = product_info();
        let manifest = dir.write(&info, &key_pair(5), None).unwrap();
        // Swap in another verifying key and fix the manifest: the attacker controls the folder.
        let other = key_pair(6).verifying_key().to_bytes();
        fs::write(dir.path().join(VERIFYING_KEY_FILE), &other).unwrap();
        let mut fixed = manifest.clone();
        for entry in &mut fixed.files {
            if entry.name == VERIFYING_KEY_FILE {
                entry.sha256 = sha256_hex(&other);
            }
        }
        fs::write(
            dir.path().join(MANIFEST_FILE),
            serde_json::to_vec(&fixed).unwrap(),
        )
        .unwrap();
        assert!(
            matches!(dir.load_proving_key(&info), Err(ParamsError::Manifest(m)) if m.contains("not one key pair"))
        );
        fs::remove_dir_all(dir.path()).unwrap();
    }
}
