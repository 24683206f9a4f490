//! Errors of the core layer. Each names what was wrong and where.
use thiserror::Error;

/// Bytes from outside that do not decode into a valid domain value. `field` is the path of the
/// offending field, e.g. `transfer.outputs[1].chunks[0].commitment`.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum DecodeError {
    /// A fixed-size field has the wrong length.
    #[error("{field}: expected {expected} bytes, got {got}")]
    Length {
        /// Field path.
        field: String,
        /// Required length.
        expected: usize,
        /// Length found.
        got: usize,
    },
    /// Bytes that are not the canonical encoding of a Ristretto point.
    #[error("{field}: not a canonical Ristretto255 point")]
    NonCanonicalPoint {
        /// Field path.
        field: String,
    },
    /// The identity where the protocol forbids it (keys, ephemerals, owner handles).
    #[error("{field}: the identity point is not allowed here")]
    IdentityPoint {
        /// Field path.
        field: String,
    },
    /// Bytes that are not a canonical scalar (or field element).
    #[error("{field}: not a canonical scalar")]
    NonCanonicalScalar {
        /// Field path.
        field: String,
    },
    /// A required field is absent.
    #[error("{field}: missing")]
    Missing {
        /// Field path.
        field: String,
    },
    /// A list has the wrong number of entries.
    #[error("{field}: expected {expected} entries, got {got}")]
    Count {
        /// Field path.
        field: String,
        /// What the protocol requires (e.g. "2", "1..=16").
        expected: String,
        /// Entries found.
        got: usize,
    },
    /// Any other invalid value.
    #[error("{field}: {reason}")]
    Invalid {
        /// Field path.
        field: String,
        /// Why it is invalid.
        reason: String,
    },
    /// The bytes are not protobuf this schema can parse.
    #[error("malformed protobuf: {0}")]
    Protobuf(String),
    /// The bytes parse but are not the one canonical encoding of what they hold.
    #[error("non-canonical encoding: re-encoding gives {reencoded} bytes that differ from the {given} given (field order, duplicate or unknown fields, long varints, explicit defaults or trailing bytes)")]
    NonCanonical {
        /// Length of the input.
        given: usize,
        /// Length of the re-encoding.
        reencoded: usize,
    },
    /// A protocol version this build does not speak.
    #[error("unsupported protocol version {0} (this build speaks 1)")]
    UnsupportedVersion(u32),
    /// The encoding exceeds the size cap.
    #[error("encoding of {size} bytes exceeds the cap of {cap} bytes")]
    TooLarge {
        /// Input size.
        size: usize,
        /// Cap.
        cap: usize,
    },
}

impl DecodeError {
    /// Builds an [`DecodeError::Invalid`].
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        DecodeError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// Builds a [`DecodeError::Missing`].
    pub fn missing(field: impl Into<String>) -> Self {
        DecodeError::Missing {
            field: field.into(),
        }
    }

    /// Builds a [`DecodeError::Count`].
    pub fn count(field: impl Into<String>, expected: impl Into<String>, got: usize) -> Self {
        DecodeError::Count {
            field: field.into(),
            expected: expected.into(),
            got,
        }
    }
}

/// Errors of core operations other than decoding.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum Error {
    /// Malformed input.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// An address string that is not a valid Corridor address.
    #[error("address: {0}")]
    Address(String),
    /// Decryption found no amount in range.
    #[error("decryption failed: {0}")]
    Decryption(String),
    /// A key that cannot be used.
    #[error("key: {0}")]
    Key(String),
    /// A value outside what the protocol allows.
    #[error("{0}")]
    Invalid(String),
}
