//! Key files: one signing key ([`SpendKey`]) per file, as the hex of its
//! [`SpendKey::to_secret_bytes`] on one line, or one wallet seed ([`WalletSeed`], 32 bytes of
//! hex, `corridor wallet new`). `corridor node demo-genesis --keys DIR` writes the
//! demo network's (dev keys: anyone with the seed can derive them); `corridor kyc serve --key`
//! reads an issuer's. The bytes read are zeroised once the key is built; the file is created
//! readable by its owner only.
use corridor_core::keys::{SpendKey, WalletSeed, SPEND_KEY_SECRET_BYTES};
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Why a key file could not be read or written. Never carries key material.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The file could not be read or written.
    #[error("key file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The contents are not hex of the right length.
    #[error("key file {path}: expected {expected} hex digits on one line")]
    Format {
        /// The file.
        path: PathBuf,
        /// Hex digits expected.
        expected: usize,
    },
    /// A tokens file holds no token.
    #[error("tokens file {path}: no token in it")]
    NoToken {
        /// The file.
        path: PathBuf,
    },
    /// The bytes are not a valid key.
    #[error("key file {path}: {source}")]
    Key {
        /// The file.
        path: PathBuf,
        /// What the key decoding said.
        source: corridor_core::error::Error,
    },
}

/// The `N` secret bytes of the one line of hex in `path`.
fn read_secret<const N: usize>(path: &Path) -> Result<Zeroizing<[u8; N]>, KeyFileError> {
    let text =
        Zeroizing::new(
            std::fs::read_to_string(path).map_err(|source| KeyFileError::Io {
                path: path.to_path_buf(),
                source,
            })?,
        );
    let mut bytes = Zeroizing::new([0u8; N]);
    hex::decode_to_slice(text.trim(), &mut bytes[..]).map_err(|_| KeyFileError::Format {
        path: path.to_path_buf(),
        expected: 2 * N,
    })?;
    Ok(bytes)
}

/// Writes `secret` as one line of hex to `path` (created or truncated; mode 0600 on Unix).
fn write_secret(path: &Path, secret: &[u8]) -> Result<(), KeyFileError> {
    let io = |source| KeyFileError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io)?;
    let mut line = Zeroizing::new(hex::encode(secret));
    line.push('\n');
    file.write_all(line.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)
}

/// Reads the signing key in `path`.
///
/// # Errors
/// The file is unreadable, not one line of hex of [`SPEND_KEY_SECRET_BYTES`] bytes, or not a
/// valid key.
pub fn read_spend_key(path: &Path) -> Result<SpendKey, KeyFileError> {
    let bytes = read_secret::<SPEND_KEY_SECRET_BYTES>(path)?;
    SpendKey::from_secret_bytes(&bytes).map_err(|source| KeyFileError::Key {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes `key` to `path` (created or truncated; mode 0600 on Unix).
///
/// # Errors
/// The file could not be written.
pub fn write_spend_key(path: &Path, key: &SpendKey) -> Result<(), KeyFileError> {
    write_secret(path, &key.to_secret_bytes()[..])
}

/// Reads the wallet seed in `path` (32 bytes of hex, as `corridor wallet new` writes).
///
/// # Errors
/// The file is unreadable or not one line of 64 hex digits.
pub fn read_wallet_seed(path: &Path) -> Result<WalletSeed, KeyFileError> {
    Ok(WalletSeed::from_bytes(*read_secret::<32>(path)?))
}

/// Writes the wallet seed `seed` to `path` (created or truncated; mode 0600 on Unix).
///
/// # Errors
/// The file could not be written.
pub fn write_wallet_seed(path: &Path, seed: &WalletSeed) -> Result<(), KeyFileError> {
    write_secret(path, seed.expose_secret())
}

// Regulators' keys: view keys and the escrow key (`corridor audit`).
use corridor_circuits::EscrowSecretKey;
use corridor_core::keys::ViewKey;
use curve25519_dalek::scalar::Scalar;
use zeroize::Zeroize;

/// Reads a regulator's view key in `path` (the 32 bytes of its canonical secret scalar, as
/// [`write_view_key`] writes).
///
/// # Errors
/// The file is unreadable, not one line of 64 hex digits, or not a canonical non-zero scalar.
pub fn read_view_key(path: &Path) -> Result<ViewKey, KeyFileError> {
    let bytes = read_secret::<32>(path)?;
    let invalid = |reason: &str| KeyFileError::Key {
        path: path.to_path_buf(),
        source: corridor_core::error::Error::Key(reason.to_string()),
    };
    let mut scalar: Option<Scalar> = Scalar::from_canonical_bytes(*bytes).into();
    let key = scalar
        .ok_or_else(|| invalid("a view key must be a canonical scalar"))
        .and_then(|s| {
            ViewKey::from_scalar(s).map_err(|source| KeyFileError::Key {
                path: path.to_path_buf(),
                source,
            })
        });
    scalar.zeroize();
    key
}

/// Writes the view key `key` to `path` (created or truncated; mode 0600 on Unix).
///
/// # Errors
/// The file could not be written.
pub fn write_view_key(path: &Path, key: &ViewKey) -> Result<(), KeyFileError> {
    write_secret(path, Zeroizing::new(key.secret().to_bytes()).as_slice())
}

/// Reads the regulators' escrow secret key in `path` (64 hex digits: the 32 bytes of its
/// canonical Baby Jubjub scalar, as [`write_escrow_key`] writes).
///
/// # Errors
/// The file is unreadable, not one line of 64 hex digits, or not a canonical non-zero scalar.
pub fn read_escrow_key(path: &Path) -> Result<EscrowSecretKey, KeyFileError> {
    let bytes = read_secret::<32>(path)?;
    EscrowSecretKey::from_bytes(&bytes).map_err(|e| KeyFileError::Key {
        path: path.to_path_buf(),
        source: corridor_core::error::Error::Key(e.to_string()),
    })
}

/// Writes the escrow secret key `key` to `path` (created or truncated; mode 0600 on Unix).
///
/// # Errors
/// The file could not be written.
pub fn write_escrow_key(path: &Path, key: &EscrowSecretKey) -> Result<(), KeyFileError> {
    write_secret(path, key.to_bytes().as_slice())
}

/// Reads a KYC identity secret (a BN254 scalar, 32 bytes little-endian, canonical) from `path`.
pub fn read_identity_secret(
    path: &Path,
) -> Result<corridor_circuits::IdentitySecret, KeyFileError> {
    let bytes = read_secret::<32>(path)?;
    let secret = corridor_circuits::fr_from_bytes(&bytes, "identity_secret").map_err(|_| {
        KeyFileError::Format {
            path: path.to_path_buf(),
            expected: 64,
        }
    })?;
    Ok(corridor_circuits::IdentitySecret::from_field(secret))
}

/// Writes a KYC identity secret to `path` (mode 0600 on Unix).
pub fn write_identity_secret(
    path: &Path,
    secret: &corridor_circuits::IdentitySecret,
) -> Result<(), KeyFileError> {
    let bytes = Zeroizing::new(corridor_circuits::fr_to_bytes(secret.expose_secret()));
    write_secret(path, &bytes[..])
}

// Bearer tokens: a service's accepted tokens (`--tokens`), a client's own (`--token-file`).

/// A service's accepted bearer tokens: those of the file `path` (one per line or separated
/// by commas), or without a file those of the environment variable `env` (none if unset:
/// the service then serves loopback only, see
/// [`corridor_prover::service::auth::require_tokens_beyond_loopback`]).
///
/// # Errors
/// The file is unreadable or holds no token.
pub fn read_tokens(path: Option<&Path>, env: &str) -> Result<Vec<Zeroizing<String>>, KeyFileError> {
    let text = match path {
        Some(p) => {
            Zeroizing::new(
                std::fs::read_to_string(p).map_err(|source| KeyFileError::Io {
                    path: p.to_path_buf(),
                    source,
                })?,
            )
        }
        None => Zeroizing::new(std::env::var(env).unwrap_or_default()),
    };
    let tokens = corridor_prover::service::auth::parse_tokens(&text);
    match path {
        Some(p) if tokens.is_empty() => Err(KeyFileError::NoToken {
            path: p.to_path_buf(),
        }),
        _ => Ok(tokens),
    }
}

/// A client's bearer token: the first token of the file `path`.
///
/// # Errors
/// The file is unreadable or holds no token.
pub fn read_token(path: &Path) -> Result<Zeroizing<String>, KeyFileError> {
    read_tokens(Some(path), "")?
        .into_iter()
        .next()
        .ok_or_else(|| KeyFileError::NoToken {
            path: path.to_path_buf(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn a_key_file_round_trips_and_bad_files_are_refused() {
        let dir = std::env::temp_dir().join(format!("corridor-keyfile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let key = SpendKey::random(&mut rand_chacha::ChaCha20Rng::seed_from_u64(1));
        let path = dir.join("issuer.key");
        write_spend_key(&path, &key).unwrap();
        assert_eq!(read_spend_key(&path).unwrap().public(), key.public());

        std::fs::write(&path, "abcd\n").unwrap();
        assert!(matches!(
            read_spend_key(&path),
            Err(KeyFileError::Format { expected: 128, .. })
        ));
        std::fs::write(&path, "ff".repeat(64)).unwrap();
        assert!(matches!(
            read_spend_key(&path),
            Err(KeyFileError::Key { .. })
        ));
        assert!(matches!(
            read_spend_key(&dir.join("missing.key")),
            Err(KeyFileError::Io { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn view_and_escrow_key_files_round_trip() {
        let dir = std::env::temp_dir().join(format!("corridor-keyfile-reg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2);
        let view = ViewKey::random(&mut rng);
        let path = dir.join("hkma.view");
        write_view_key(&path, &view).unwrap();
        assert_eq!(read_view_key(&path).unwrap().public(), view.public());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "ff".repeat(32)).unwrap();
        assert!(matches!(
            read_view_key(&path),
            Err(KeyFileError::Key { .. })
        ));
        std::fs::write(&path, "00".repeat(32)).unwrap();
        assert!(matches!(
            read_view_key(&path),
            Err(KeyFileError::Key { .. })
        ));

        // The escrow key: written, read back, refused when zero, non-canonical or short.
        let key = EscrowSecretKey::random(&mut rng);
        let path = dir.join("escrow.key");
        write_escrow_key(&path, &key).unwrap();
        assert_eq!(
            read_escrow_key(&path).unwrap().public_key().to_bytes(),
            key.public_key().to_bytes()
        );
        for bad in ["00".repeat(32), "ff".repeat(32)] {
            std::fs::write(&path, bad).unwrap();
            assert!(matches!(
                read_escrow_key(&path),
                Err(KeyFileError::Key { .. })
            ));
        }
        std::fs::write(&path, "ab".repeat(31)).unwrap();
        assert!(matches!(
            read_escrow_key(&path),
            Err(KeyFileError::Format { expected: 64, .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn token_files_give_their_tokens_and_an_empty_one_is_refused() {
        let dir = std::env::temp_dir().join(format!("corridor-keyfile-tok-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("tokens");
        std::fs::write(&path, "first\n second ,third\n").unwrap();
        let tokens = read_tokens(Some(&path), "CORRIDOR_TEST_NO_SUCH_VARIABLE").unwrap();
        let tokens: Vec<&str> = tokens.iter().map(|t| t.as_str()).collect();
        assert_eq!(tokens, ["first", "second", "third"]);
        assert_eq!(read_token(&path).unwrap().as_str(), "first");
        std::fs::write(&path, "\n \n,").unwrap();
        assert!(matches!(
            read_tokens(Some(&path), "CORRIDOR_TEST_NO_SUCH_VARIABLE"),
            Err(KeyFileError::NoToken { .. })
        ));
        assert!(matches!(
            read_token(&path),
            Err(KeyFileError::NoToken { .. })
        ));
        assert!(matches!(
            read_token(&dir.join("missing")),
            Err(KeyFileError::Io { .. })
        ));
        // No file and no variable: no tokens (the service then serves loopback only).
        assert!(read_tokens(None, "CORRIDOR_TEST_NO_SUCH_VARIABLE")
            .unwrap()
            .is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
