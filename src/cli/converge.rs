//! `forge converge`: wire settings, client, history and UI to the engine.
use super::args::ConvergeArgs;
use crate::error::Error;

pub fn run(_g: &super::Global, _a: ConvergeArgs) -> Result<u8, Error> {
    todo!("forge converge")
}
