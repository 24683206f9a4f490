//! The parameter folder: key files and `manifest.json` with the SHA-256 of each file.
//!
//! ```text
//! DIR/kyc_proving_key.bin     ProvingKey::to_bytes
//! DIR/kyc_verifying_key.bin   VerifyingKey::to_bytes
//! DIR/manifest.json           { format, circuit, fingerprint, constraints, public_inputs,
//!                               dev_seed, files: [{ name, sha256, bytes }] }
//! ```
//! Every load checks the file against the manifest first, so a corrupted or swapped file is
//! named, never half-used.

use corridor_circuits::{CircuitFingerprint, KycCircuit};
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
    /// The key files.
    pub files: Vec<FileEntry>,
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

    /// Writes both keys and the manifest, creating the folder.
    pub fn write(
        &self,
        circuit: &CircuitInfo,
        pk: &ProvingKey,
        dev_seed: Option<u64>,
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
