//! Bearer tokens of a gRPC service (the prover service, and the KYC registry's changes):
//! parsed from a tokens file, checked in constant time, and required of any service that
//! listens beyond loopback.
use std::net::SocketAddr;
use subtle::ConstantTimeEq;
use tonic::metadata::MetadataMap;
use tonic::Status;
use zeroize::Zeroizing;

/// The accepted tokens of `text`: one per line or separated by commas, blanks ignored.
pub fn parse_tokens(text: &str) -> Vec<Zeroizing<String>> {
    text.split(['\n', ','])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| Zeroizing::new(t.to_string()))
        .collect()
}

/// Checks the request's `authorization: Bearer TOKEN` against `tokens`; none accepts anyone.
/// Every token is compared whichever matches, in constant time, so that the time taken does
/// not tell which token (or which prefix) was close.
///
/// # Errors
/// UNAUTHENTICATED: no bearer token, or one that is not accepted.
pub fn authorize(tokens: &[Zeroizing<String>], metadata: &MetadataMap) -> Result<(), Status> {
    if tokens.is_empty() {
        return Ok(());
    }
    let given = metadata
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| Status::unauthenticated("a bearer token is required"))?;
    let matched = tokens.iter().fold(subtle::Choice::from(0u8), |acc, t| {
        acc | t.as_bytes().ct_eq(given.as_bytes())
    });
    if bool::from(matched) {
        Ok(())
    } else {
        Err(Status::unauthenticated("the bearer token is not accepted"))
    }
}

/// A service without tokens was asked to listen beyond loopback.
#[derive(Debug, thiserror::Error)]
#[error(
    "refusing to serve {addr} without bearer tokens: only a loopback address may be served \
     without them (give --tokens)"
)]
pub struct Unguarded {
    /// The address.
    pub addr: SocketAddr,
}

/// A service answers strangers only on loopback (a developer's machine): anywhere else it
/// needs tokens.
///
/// # Errors
/// [`Unguarded`] when `tokens` is empty and `listen` is not a loopback address (an unspecified
/// address such as `0.0.0.0` listens on every interface, so it is not loopback).
pub fn require_tokens_beyond_loopback(
    listen: SocketAddr,
    tokens: &[Zeroizing<String>],
) -> Result<(), Unguarded> {
    if tokens.is_empty() && !listen.ip().is_loopback() {
        return Err(Unguarded { addr: listen });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata(value: Option<&str>) -> MetadataMap {
        let mut m = MetadataMap::new();
        if let Some(v) = value {
            m.insert("authorization", v.parse().unwrap());
        }
        m
    }

    #[test]
    fn tokens_parse_from_lines_and_commas_and_blanks_are_not_tokens() {
        let tokens = parse_tokens(" a \n\nb,c ,\n, \n");
        let tokens: Vec<&str> = tokens.iter().map(|t| t.as_str()).collect();
        assert_eq!(tokens, ["a", "b", "c"]);
        assert!(parse_tokens("\n , \n").is_empty());
    }

    #[test]
    fn only_an_accepted_bearer_token_passes() {
        let tokens = parse_tokens("first\nsecond");
        assert!(authorize(&tokens, &metadata(Some("Bearer first"))).is_ok());
        assert!(authorize(&tokens, &metadata(Some("Bearer second"))).is_ok());
        for (value, message) in [
            (None, "a bearer token is required"),
            (Some("first"), "a bearer token is required"),
            (Some("Basic first"), "a bearer token is required"),
            (Some("Bearer firs"), "the bearer token is not accepted"),
            (Some("Bearer first2"), "the bearer token is not accepted"),
            (Some("Bearer "), "the bearer token is not accepted"),
        ] {
            let status = authorize(&tokens, &metadata(value)).expect_err("refused");
            assert_eq!(status.code(), tonic::Code::Unauthenticated, "{value:?}");
            assert_eq!(status.message(), message, "{value:?}");
        }
        // No tokens: anyone.
        assert!(authorize(&[], &metadata(None)).is_ok());
    }

    #[test]
    fn without_tokens_only_loopback_is_served() {
        let tokens = parse_tokens("t");
        for addr in ["127.0.0.1:50061", "[::1]:0", "127.3.4.5:1"] {
            let addr: SocketAddr = addr.parse().unwrap();
            assert!(require_tokens_beyond_loopback(addr, &[]).is_ok(), "{addr}");
        }
        for addr in ["0.0.0.0:50061", "[::]:0", "10.1.2.3:50061", "192.168.0.7:1"] {
            let addr: SocketAddr = addr.parse().unwrap();
            let refused = require_tokens_beyond_loopback(addr, &[]).expect_err("refused");
            assert_eq!(refused.addr, addr);
            assert!(
                require_tokens_beyond_loopback(addr, &tokens).is_ok(),
                "{addr}"
            );
        }
    }
}
