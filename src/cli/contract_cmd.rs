//! `forge contract lint|schema`.
use super::args::ContractCommand;
use crate::error::Error;

pub fn run(_g: &super::Global, _a: ContractCommand) -> Result<u8, Error> {
    todo!("forge contract")
}
