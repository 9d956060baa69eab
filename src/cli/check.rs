//! `forge check`: run the validators once on the root as it is.
use super::args::CheckArgs;
use crate::error::Error;

pub fn run(_g: &super::Global, _a: CheckArgs) -> Result<u8, Error> {
    todo!("forge check")
}
