//! The layered stack under every instance.
pub mod hypervisor;
pub mod physical;
pub mod placement;
pub mod network;
pub mod storage;
