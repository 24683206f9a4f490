//! Files a node process needs, shared by the tests that start one (`corridor node run`,
//! `replay`, `abci`): the genesis file and the dev-seed KYC parameter folder.
use corridor::network::{dev_kyc_keys, DEV_PARAMS_SEED};
use corridor_core::genesis::Genesis;
use corridor_node::GenesisFile;
use corridor_params::{CircuitInfo, ParamsDir};
use std::path::Path;

/// Writes `genesis` as TOML to `path`.
pub fn write_genesis(path: &Path, genesis: &Genesis) {
    std::fs::write(path, GenesisFile::from_genesis(genesis).to_toml().unwrap()).unwrap();
}

/// Writes the dev-seed parameter folder (the demo network's KYC keys) to `dir`.
pub fn write_dev_params(dir: &Path) {
    ParamsDir::new(dir)
        .write(
            &CircuitInfo::kyc().unwrap(),
            &dev_kyc_keys().unwrap().proving,
            Some(DEV_PARAMS_SEED),
        )
        .unwrap();
}

/// Writes `genesis.toml` and the dev-seed parameter folder `params/` into `dir`.
#[allow(dead_code)] // not every test binary that includes this module writes both
pub fn write_network_files(dir: &Path, genesis: &Genesis) {
    write_genesis(&dir.join("genesis.toml"), genesis);
    write_dev_params(&dir.join("params"));
}
