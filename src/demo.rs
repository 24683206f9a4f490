//! The remittance demo: a Hong Kong domestic worker sends HKD to her family in the Philippines,
//! who receive PHP, every step built with real proofs and verified before it is applied — the
//! chain of [`crate::scenario`], run whole on a fresh in-memory network.
use crate::network::GENESIS_TIME;
pub use crate::scenario::{
    amounts, is_remittance, Scenario as DemoReport, ScenarioError as DemoError, Step,
};
use crate::scenario::{Scenario, ScenarioConfig};

/// Runs the whole remittance on a fresh in-memory network; `progress` sees each step.
pub fn run_remittance(seed: u64, progress: &mut dyn FnMut(&Step)) -> Result<DemoReport, DemoError> {
    run_remittance_at(seed, GENESIS_TIME, progress)
}

/// [`run_remittance`] on a network whose height 0 is at `genesis_time` (see
/// [`crate::network::DemoNetwork::at`]).
pub fn run_remittance_at(
    seed: u64,
    genesis_time: u64,
    progress: &mut dyn FnMut(&Step),
) -> Result<DemoReport, DemoError> {
    Scenario::run(
        ScenarioConfig {
            genesis_time,
            ..ScenarioConfig::new(seed)
        },
        progress,
    )
}
