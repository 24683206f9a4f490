//! A KYC issuer's back office: enrols and revokes credentials in the issuer's registry
//! (`corridor.kyc.v1.Registry`), calling it with the back office's bearer token.
use super::ClientError;
use crate::services::proto::kyc as registry_api;
use corridor_circuits::{fr_to_bytes, Fr};
use tonic::transport::Channel;
use zeroize::Zeroizing;

const REGISTRY: &str = "KYC registry";

/// The back office's client of its issuer's registry.
#[derive(Clone)]
pub struct BackOffice {
    client: registry_api::registry_client::RegistryClient<Channel>,
    token: Option<Zeroizing<String>>,
}

impl std::fmt::Debug for BackOffice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackOffice")
            .field("token", &self.token.as_ref().map(|_| "<secret>"))
            .finish_non_exhaustive()
    }
}

impl BackOffice {
    /// Connects to the registry at `endpoint`, calling it with `token` if given.
    pub async fn connect(
        endpoint: &str,
        token: Option<Zeroizing<String>>,
    ) -> Result<Self, ClientError> {
        let channel = super::channel(REGISTRY, endpoint).await?;
        Ok(BackOffice {
            client: registry_api::registry_client::RegistryClient::new(channel),
            token,
        })
    }

    /// Enrols the credential of `id_commit` (only the commitment leaves the customer's
    /// wallet) with the jurisdiction `code`, `tier` and `expiry_day`; the registry answers once
    /// the node admitted its new root.
    pub async fn enroll(
        &self,
        id_commit: &Fr,
        jurisdiction: &str,
        tier: u32,
        expiry_day: u32,
    ) -> Result<registry_api::EnrollResponse, ClientError> {
        let request = super::authorized(
            REGISTRY,
            registry_api::EnrollRequest {
                id_commit: fr_to_bytes(id_commit).to_vec(),
                jurisdiction: jurisdiction.to_string(),
                tier,
                expiry_day,
            },
            self.token.as_ref(),
        )?;
        Ok(self
            .client
            .clone()
            .enroll(request)
            .await
            .map_err(ClientError::of(REGISTRY, "Enroll"))?
            .into_inner())
    }

    /// Revokes the credential at `leaf`; the registry answers once the node admitted its new
    /// root.
    pub async fn revoke(&self, leaf: u64) -> Result<registry_api::RevokeResponse, ClientError> {
        let request = super::authorized(
            REGISTRY,
            registry_api::RevokeRequest { leaf_index: leaf },
            self.token.as_ref(),
        )?;
        Ok(self
            .client
            .clone()
            .revoke(request)
            .await
            .map_err(ClientError::of(REGISTRY, "Revoke"))?
            .into_inner())
    }
}
