//! `forge runs list|show`: the run history.
use super::args::RunsCommand;
use crate::error::Error;

pub fn run(_g: &super::Global, _a: RunsCommand) -> Result<u8, Error> {
    todo!("forge runs")
}
