# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_forge_global_optspecs
    string join \n root= json q/quiet no-progress color= h/help V/version
end

function __fish_forge_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_forge_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_forge_using_subcommand
    set -l cmd (__fish_forge_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c forge -n "__fish_forge_needs_command" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_needs_command" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_needs_command" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_needs_command" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_needs_command" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_needs_command" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_needs_command" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_needs_command" -f -a "converge" -d 'Generate → validate → refine until the contract is met'
complete -c forge -n "__fish_forge_needs_command" -f -a "check" -d 'Run the validators once on the root as it is, no model'
complete -c forge -n "__fish_forge_needs_command" -f -a "contract" -d 'Lint a contract or print its JSON Schema'
complete -c forge -n "__fish_forge_needs_command" -f -a "init" -d 'Write a starter contract under contracts/'
complete -c forge -n "__fish_forge_needs_command" -f -a "runs" -d 'The run history'
complete -c forge -n "__fish_forge_needs_command" -f -a "evidence" -d 'Show, export, verify and recheck evidence packs'
complete -c forge -n "__fish_forge_needs_command" -f -a "scan" -d 'Look for secrets and personal data in files (default: the root\'s files git would track)'
complete -c forge -n "__fish_forge_needs_command" -f -a "key" -d 'Manage the ed25519 key evidence is signed with'
complete -c forge -n "__fish_forge_needs_command" -f -a "diff" -d 'Show what a run would change in the root, as a unified diff'
complete -c forge -n "__fish_forge_needs_command" -f -a "apply" -d 'Approve a run and write its files back to the root'
complete -c forge -n "__fish_forge_needs_command" -f -a "reject" -d 'Reject a run: its files are never written back'
complete -c forge -n "__fish_forge_needs_command" -f -a "hook" -d 'Install forge as a git hook'
complete -c forge -n "__fish_forge_needs_command" -f -a "config" -d 'Show forge\'s effective settings and where each comes from'
complete -c forge -n "__fish_forge_needs_command" -f -a "doctor" -d 'Check this machine for what forge needs (provider key, tools, sandbox, .forge, clock)'
complete -c forge -n "__fish_forge_needs_command" -f -a "metrics" -d 'Print the run history as Prometheus metrics'
complete -c forge -n "__fish_forge_needs_command" -f -a "serve" -d 'Serve converge runs, the history and metrics over HTTP (and manage its tokens)'
complete -c forge -n "__fish_forge_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c forge -n "__fish_forge_needs_command" -f -a "man" -d 'Write the man pages (used to keep man/ current)'
complete -c forge -n "__fish_forge_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c forge -n "__fish_forge_using_subcommand converge" -l provider -d 'openai | anthropic | ollama' -r
complete -c forge -n "__fish_forge_using_subcommand converge" -l model -r
complete -c forge -n "__fish_forge_using_subcommand converge" -l base-url -d 'The provider\'s API root, e.g. https://api.openai.com/v1' -r
complete -c forge -n "__fish_forge_using_subcommand converge" -l max-iterations -r
complete -c forge -n "__fish_forge_using_subcommand converge" -l threshold -r
complete -c forge -n "__fish_forge_using_subcommand converge" -l token-budget -r
complete -c forge -n "__fish_forge_using_subcommand converge" -l replay -d 'Answer from a recorded cassette instead of a provider (no key needed)' -r -F
complete -c forge -n "__fish_forge_using_subcommand converge" -l record -d 'Record every model exchange of the run to a cassette' -r -F
complete -c forge -n "__fish_forge_using_subcommand converge" -l signing-key -d 'Also sign the pack with this ed25519 key (PKCS#8 PEM; default: FORGE_SIGNING_KEY, then $XDG_CONFIG_HOME/forge/forge-signing.key if it exists)' -r -F
complete -c forge -n "__fish_forge_using_subcommand converge" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand converge" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand converge" -l no-apply -d 'Leave the root untouched even when the run converges'
complete -c forge -n "__fish_forge_using_subcommand converge" -l confirm -d 'Write back only once approved: show the diff and ask on a terminal, else leave the run for `forge apply` (as `approval: required` in the contract does)'
complete -c forge -n "__fish_forge_using_subcommand converge" -l allow-degraded -d 'Exit 0 for a converged run even if a validator\'s breaker opened'
complete -c forge -n "__fish_forge_using_subcommand converge" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand converge" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand converge" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand converge" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand converge" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand check" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand check" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand check" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand check" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand check" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand check" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand check" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand contract; and not __fish_seen_subcommand_from lint schema help" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand contract; and not __fish_seen_subcommand_from lint schema help" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand contract; and not __fish_seen_subcommand_from lint schema help" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand contract; and not __fish_seen_subcommand_from lint schema help" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand contract; and not __fish_seen_subcommand_from lint schema help" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand contract; and not __fish_seen_subcommand_from lint schema help" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand contract; and not __fish_seen_subcommand_from lint schema help" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand contract; and not __fish_seen_subcommand_from lint schema help" -f -a "lint" -d 'Validate a contract'
complete -c forge -n "__fish_forge_using_subcommand contract; and not __fish_seen_subcommand_from lint schema help" -f -a "schema" -d 'Print the contract\'s JSON Schema'
complete -c forge -n "__fish_forge_using_subcommand contract; and not __fish_seen_subcommand_from lint schema help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c forge -n "__fish_forge_using_subcommand contract; and __fish_seen_subcommand_from lint" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand contract; and __fish_seen_subcommand_from lint" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand contract; and __fish_seen_subcommand_from lint" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand contract; and __fish_seen_subcommand_from lint" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand contract; and __fish_seen_subcommand_from lint" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand contract; and __fish_seen_subcommand_from lint" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand contract; and __fish_seen_subcommand_from lint" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand contract; and __fish_seen_subcommand_from schema" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand contract; and __fish_seen_subcommand_from schema" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand contract; and __fish_seen_subcommand_from schema" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand contract; and __fish_seen_subcommand_from schema" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand contract; and __fish_seen_subcommand_from schema" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand contract; and __fish_seen_subcommand_from schema" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand contract; and __fish_seen_subcommand_from schema" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand contract; and __fish_seen_subcommand_from help" -f -a "lint" -d 'Validate a contract'
complete -c forge -n "__fish_forge_using_subcommand contract; and __fish_seen_subcommand_from help" -f -a "schema" -d 'Print the contract\'s JSON Schema'
complete -c forge -n "__fish_forge_using_subcommand contract; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c forge -n "__fish_forge_using_subcommand init" -l template -d 'Starter to write' -r -f -a "python\t''
rust\t''
node\t''
shell\t''"
complete -c forge -n "__fish_forge_using_subcommand init" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand init" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand init" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand init" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand init" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand init" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand init" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand runs; and not __fish_seen_subcommand_from list show help" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand runs; and not __fish_seen_subcommand_from list show help" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand runs; and not __fish_seen_subcommand_from list show help" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand runs; and not __fish_seen_subcommand_from list show help" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand runs; and not __fish_seen_subcommand_from list show help" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand runs; and not __fish_seen_subcommand_from list show help" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand runs; and not __fish_seen_subcommand_from list show help" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand runs; and not __fish_seen_subcommand_from list show help" -f -a "list" -d 'The run history, newest first'
complete -c forge -n "__fish_forge_using_subcommand runs; and not __fish_seen_subcommand_from list show help" -f -a "show" -d 'One run with its iterations and validator results'
complete -c forge -n "__fish_forge_using_subcommand runs; and not __fish_seen_subcommand_from list show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c forge -n "__fish_forge_using_subcommand runs; and __fish_seen_subcommand_from list" -l limit -r
complete -c forge -n "__fish_forge_using_subcommand runs; and __fish_seen_subcommand_from list" -l status -d 'Only runs with this status (converged, max_iterations, stagnated, ...)' -r
complete -c forge -n "__fish_forge_using_subcommand runs; and __fish_seen_subcommand_from list" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand runs; and __fish_seen_subcommand_from list" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand runs; and __fish_seen_subcommand_from list" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand runs; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand runs; and __fish_seen_subcommand_from list" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand runs; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand runs; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand runs; and __fish_seen_subcommand_from show" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand runs; and __fish_seen_subcommand_from show" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand runs; and __fish_seen_subcommand_from show" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand runs; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand runs; and __fish_seen_subcommand_from show" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand runs; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand runs; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand runs; and __fish_seen_subcommand_from help" -f -a "list" -d 'The run history, newest first'
complete -c forge -n "__fish_forge_using_subcommand runs; and __fish_seen_subcommand_from help" -f -a "show" -d 'One run with its iterations and validator results'
complete -c forge -n "__fish_forge_using_subcommand runs; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c forge -n "__fish_forge_using_subcommand evidence; and not __fish_seen_subcommand_from show export verify verify-chain recheck help" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand evidence; and not __fish_seen_subcommand_from show export verify verify-chain recheck help" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand evidence; and not __fish_seen_subcommand_from show export verify verify-chain recheck help" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand evidence; and not __fish_seen_subcommand_from show export verify verify-chain recheck help" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand evidence; and not __fish_seen_subcommand_from show export verify verify-chain recheck help" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand evidence; and not __fish_seen_subcommand_from show export verify verify-chain recheck help" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand evidence; and not __fish_seen_subcommand_from show export verify verify-chain recheck help" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand evidence; and not __fish_seen_subcommand_from show export verify verify-chain recheck help" -f -a "show" -d 'Print a pack\'s Markdown'
complete -c forge -n "__fish_forge_using_subcommand evidence; and not __fish_seen_subcommand_from show export verify verify-chain recheck help" -f -a "export" -d 'Write a run\'s pack as JSON, Markdown, or a signed in-toto attestation'
complete -c forge -n "__fish_forge_using_subcommand evidence; and not __fish_seen_subcommand_from show export verify verify-chain recheck help" -f -a "verify" -d 'Check a pack\'s hash and signatures, and optionally the files it lists'
complete -c forge -n "__fish_forge_using_subcommand evidence; and not __fish_seen_subcommand_from show export verify verify-chain recheck help" -f -a "verify-chain" -d 'Check every pack of the root and the chain linking them (metadata.previous)'
complete -c forge -n "__fish_forge_using_subcommand evidence; and not __fish_seen_subcommand_from show export verify verify-chain recheck help" -f -a "recheck" -d 'Run the stored contract\'s validators again on the kept artifacts and compare with the pack'
complete -c forge -n "__fish_forge_using_subcommand evidence; and not __fish_seen_subcommand_from show export verify verify-chain recheck help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from show" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from show" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from show" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from show" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from export" -l format -r -f -a "json\t''
md\t''
in-toto\t'A DSSE envelope around an in-toto Statement v1, signed with ed25519'"
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from export" -s o -l output -d 'Write here instead of stdout (atomically; only ever replaces a regular file)' -r -F
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from export" -l signing-key -d 'in-toto: the ed25519 key to sign with (default: FORGE_SIGNING_KEY, then $XDG_CONFIG_HOME/forge/forge-signing.key)' -r -F
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from export" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from export" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from export" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from export" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from export" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from verify" -l key-file -d 'The HMAC evidence key (default: FORGE_EVIDENCE_KEY, then $XDG_CONFIG_HOME/forge/evidence.key)' -r -F
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from verify" -l public-key -d 'Trust ed25519 signatures by this public key (SPKI PEM); repeatable' -r -F
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from verify" -l artifacts -d 'Also check that the pack\'s artifacts match the files under DIR' -r -F
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from verify" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from verify" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from verify" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from verify" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from verify" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from verify-chain" -l key-file -d 'The HMAC evidence key (default: FORGE_EVIDENCE_KEY, then $XDG_CONFIG_HOME/forge/evidence.key)' -r -F
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from verify-chain" -l public-key -d 'Trust ed25519 signatures by this public key (SPKI PEM); repeatable' -r -F
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from verify-chain" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from verify-chain" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from verify-chain" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from verify-chain" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from verify-chain" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from verify-chain" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from verify-chain" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from recheck" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from recheck" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from recheck" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from recheck" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from recheck" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from recheck" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from recheck" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print a pack\'s Markdown'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write a run\'s pack as JSON, Markdown, or a signed in-toto attestation'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check a pack\'s hash and signatures, and optionally the files it lists'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from help" -f -a "verify-chain" -d 'Check every pack of the root and the chain linking them (metadata.previous)'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from help" -f -a "recheck" -d 'Run the stored contract\'s validators again on the kept artifacts and compare with the pack'
complete -c forge -n "__fish_forge_using_subcommand evidence; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c forge -n "__fish_forge_using_subcommand scan" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand scan" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand scan" -l pii -d 'Also report personal data: e-mail addresses, phone numbers, IBANs, card numbers'
complete -c forge -n "__fish_forge_using_subcommand scan" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand scan" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand scan" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand scan" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand scan" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand key; and not __fish_seen_subcommand_from generate help" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand key; and not __fish_seen_subcommand_from generate help" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand key; and not __fish_seen_subcommand_from generate help" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand key; and not __fish_seen_subcommand_from generate help" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand key; and not __fish_seen_subcommand_from generate help" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand key; and not __fish_seen_subcommand_from generate help" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand key; and not __fish_seen_subcommand_from generate help" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand key; and not __fish_seen_subcommand_from generate help" -f -a "generate" -d 'Write a new ed25519 pair: forge-signing.key (PKCS#8 PEM, 0600) and forge-signing.pub (SPKI PEM)'
complete -c forge -n "__fish_forge_using_subcommand key; and not __fish_seen_subcommand_from generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c forge -n "__fish_forge_using_subcommand key; and __fish_seen_subcommand_from generate" -l out -d 'Folder to write into (default: $XDG_CONFIG_HOME/forge)' -r -F
complete -c forge -n "__fish_forge_using_subcommand key; and __fish_seen_subcommand_from generate" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand key; and __fish_seen_subcommand_from generate" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand key; and __fish_seen_subcommand_from generate" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand key; and __fish_seen_subcommand_from generate" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand key; and __fish_seen_subcommand_from generate" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand key; and __fish_seen_subcommand_from generate" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand key; and __fish_seen_subcommand_from generate" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "generate" -d 'Write a new ed25519 pair: forge-signing.key (PKCS#8 PEM, 0600) and forge-signing.pub (SPKI PEM)'
complete -c forge -n "__fish_forge_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c forge -n "__fish_forge_using_subcommand diff" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand diff" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand diff" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand diff" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand diff" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand diff" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand diff" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand apply" -l approver -d 'Who approves (default: git\'s user.email)' -r
complete -c forge -n "__fish_forge_using_subcommand apply" -l signing-key -d 'Also sign approval.json with this ed25519 key (PKCS#8 PEM; default: FORGE_SIGNING_KEY, then $XDG_CONFIG_HOME/forge/forge-signing.key if it exists)' -r -F
complete -c forge -n "__fish_forge_using_subcommand apply" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand apply" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand apply" -s y -l yes -d 'Do not ask: approve and write back at once (needed when not on a terminal)'
complete -c forge -n "__fish_forge_using_subcommand apply" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand apply" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand apply" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand apply" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand apply" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand reject" -l reason -d 'Why, kept in approval.json' -r
complete -c forge -n "__fish_forge_using_subcommand reject" -l approver -d 'Who rejects (default: git\'s user.email)' -r
complete -c forge -n "__fish_forge_using_subcommand reject" -l signing-key -d 'Also sign approval.json with this ed25519 key (PKCS#8 PEM; default: FORGE_SIGNING_KEY, then $XDG_CONFIG_HOME/forge/forge-signing.key if it exists)' -r -F
complete -c forge -n "__fish_forge_using_subcommand reject" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand reject" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand reject" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand reject" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand reject" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand reject" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand reject" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand hook; and not __fish_seen_subcommand_from install help" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand hook; and not __fish_seen_subcommand_from install help" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand hook; and not __fish_seen_subcommand_from install help" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand hook; and not __fish_seen_subcommand_from install help" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand hook; and not __fish_seen_subcommand_from install help" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand hook; and not __fish_seen_subcommand_from install help" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand hook; and not __fish_seen_subcommand_from install help" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand hook; and not __fish_seen_subcommand_from install help" -f -a "install" -d 'Write .git/hooks/pre-commit running `forge check` on the contracts'
complete -c forge -n "__fish_forge_using_subcommand hook; and not __fish_seen_subcommand_from install help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c forge -n "__fish_forge_using_subcommand hook; and __fish_seen_subcommand_from install" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand hook; and __fish_seen_subcommand_from install" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand hook; and __fish_seen_subcommand_from install" -l force -d 'Replace a pre-commit hook forge did not write (the old one is kept as pre-commit.bak)'
complete -c forge -n "__fish_forge_using_subcommand hook; and __fish_seen_subcommand_from install" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand hook; and __fish_seen_subcommand_from install" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand hook; and __fish_seen_subcommand_from install" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand hook; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand hook; and __fish_seen_subcommand_from install" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "install" -d 'Write .git/hooks/pre-commit running `forge check` on the contracts'
complete -c forge -n "__fish_forge_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c forge -n "__fish_forge_using_subcommand config; and not __fish_seen_subcommand_from show help" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand config; and not __fish_seen_subcommand_from show help" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand config; and not __fish_seen_subcommand_from show help" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand config; and not __fish_seen_subcommand_from show help" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand config; and not __fish_seen_subcommand_from show help" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand config; and not __fish_seen_subcommand_from show help" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand config; and not __fish_seen_subcommand_from show help" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand config; and not __fish_seen_subcommand_from show help" -f -a "show" -d 'Every effective setting and where it came from (flag, env, contract, config file, default)'
complete -c forge -n "__fish_forge_using_subcommand config; and not __fish_seen_subcommand_from show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c forge -n "__fish_forge_using_subcommand config; and __fish_seen_subcommand_from show" -l provider -d 'openai | anthropic | ollama' -r
complete -c forge -n "__fish_forge_using_subcommand config; and __fish_seen_subcommand_from show" -l model -r
complete -c forge -n "__fish_forge_using_subcommand config; and __fish_seen_subcommand_from show" -l base-url -d 'The provider\'s API root, e.g. https://api.openai.com/v1' -r
complete -c forge -n "__fish_forge_using_subcommand config; and __fish_seen_subcommand_from show" -l max-iterations -r
complete -c forge -n "__fish_forge_using_subcommand config; and __fish_seen_subcommand_from show" -l threshold -r
complete -c forge -n "__fish_forge_using_subcommand config; and __fish_seen_subcommand_from show" -l token-budget -r
complete -c forge -n "__fish_forge_using_subcommand config; and __fish_seen_subcommand_from show" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand config; and __fish_seen_subcommand_from show" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand config; and __fish_seen_subcommand_from show" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand config; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand config; and __fish_seen_subcommand_from show" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand config; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Every effective setting and where it came from (flag, env, contract, config file, default)'
complete -c forge -n "__fish_forge_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c forge -n "__fish_forge_using_subcommand doctor" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand doctor" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand doctor" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand doctor" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand doctor" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand metrics" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand metrics" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand metrics" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand metrics" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand metrics" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand metrics" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand metrics" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand serve; and not __fish_seen_subcommand_from token help" -l listen -d 'Address to listen on (port 0 picks a free port; the bound address is printed)' -r
complete -c forge -n "__fish_forge_using_subcommand serve; and not __fish_seen_subcommand_from token help" -l max-concurrent -d 'Runs beyond this many at once wait as QUEUED' -r
complete -c forge -n "__fish_forge_using_subcommand serve; and not __fish_seen_subcommand_from token help" -l state -d 'Server state: tokens (default: $XDG_STATE_HOME/forge/serve)' -r -F
complete -c forge -n "__fish_forge_using_subcommand serve; and not __fish_seen_subcommand_from token help" -l jwks -d 'Also accept JWT bearers signed by a key of this JWKS (RS256 or ES256)' -r -F
complete -c forge -n "__fish_forge_using_subcommand serve; and not __fish_seen_subcommand_from token help" -l issuer -d 'The `iss` a JWT must carry' -r
complete -c forge -n "__fish_forge_using_subcommand serve; and not __fish_seen_subcommand_from token help" -l audience -d 'The `aud` a JWT must carry' -r
complete -c forge -n "__fish_forge_using_subcommand serve; and not __fish_seen_subcommand_from token help" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand serve; and not __fish_seen_subcommand_from token help" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand serve; and not __fish_seen_subcommand_from token help" -l metrics-public -d 'Serve GET /metrics without a token'
complete -c forge -n "__fish_forge_using_subcommand serve; and not __fish_seen_subcommand_from token help" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand serve; and not __fish_seen_subcommand_from token help" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand serve; and not __fish_seen_subcommand_from token help" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand serve; and not __fish_seen_subcommand_from token help" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand serve; and not __fish_seen_subcommand_from token help" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand serve; and not __fish_seen_subcommand_from token help" -f -a "token" -d 'Create, list and revoke the bearer tokens of `forge serve`'
complete -c forge -n "__fish_forge_using_subcommand serve; and not __fish_seen_subcommand_from token help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c forge -n "__fish_forge_using_subcommand serve; and __fish_seen_subcommand_from token" -l state -d 'Server state: tokens (default: $XDG_STATE_HOME/forge/serve)' -r -F
complete -c forge -n "__fish_forge_using_subcommand serve; and __fish_seen_subcommand_from token" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand serve; and __fish_seen_subcommand_from token" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand serve; and __fish_seen_subcommand_from token" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand serve; and __fish_seen_subcommand_from token" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand serve; and __fish_seen_subcommand_from token" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand serve; and __fish_seen_subcommand_from token" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand serve; and __fish_seen_subcommand_from token" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand serve; and __fish_seen_subcommand_from token" -f -a "create" -d 'Create a token and print it (once: only its hash is kept)'
complete -c forge -n "__fish_forge_using_subcommand serve; and __fish_seen_subcommand_from token" -f -a "list" -d 'The tokens, without their secrets'
complete -c forge -n "__fish_forge_using_subcommand serve; and __fish_seen_subcommand_from token" -f -a "revoke" -d 'Revoke a token by name; requests bearing it get 401 from then on'
complete -c forge -n "__fish_forge_using_subcommand serve; and __fish_seen_subcommand_from token" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c forge -n "__fish_forge_using_subcommand serve; and __fish_seen_subcommand_from help" -f -a "token" -d 'Create, list and revoke the bearer tokens of `forge serve`'
complete -c forge -n "__fish_forge_using_subcommand serve; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c forge -n "__fish_forge_using_subcommand completions" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand completions" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand completions" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand completions" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand completions" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand completions" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand completions" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand man" -l out -d 'Folder to write forge.1 and one page per subcommand into' -r -F
complete -c forge -n "__fish_forge_using_subcommand man" -l root -d 'Workspace root (default: the contract\'s `root:`, else its git top level, else the current folder)' -r -F
complete -c forge -n "__fish_forge_using_subcommand man" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c forge -n "__fish_forge_using_subcommand man" -l json -d 'Machine-readable output on stdout'
complete -c forge -n "__fish_forge_using_subcommand man" -s q -l quiet -d 'Print only errors'
complete -c forge -n "__fish_forge_using_subcommand man" -l no-progress -d 'No progress bars or spinners, even on a terminal'
complete -c forge -n "__fish_forge_using_subcommand man" -s h -l help -d 'Print help'
complete -c forge -n "__fish_forge_using_subcommand man" -s V -l version -d 'Print version'
complete -c forge -n "__fish_forge_using_subcommand help; and not __fish_seen_subcommand_from converge check contract init runs evidence scan key diff apply reject hook config doctor metrics serve completions man help" -f -a "converge" -d 'Generate → validate → refine until the contract is met'
complete -c forge -n "__fish_forge_using_subcommand help; and not __fish_seen_subcommand_from converge check contract init runs evidence scan key diff apply reject hook config doctor metrics serve completions man help" -f -a "check" -d 'Run the validators once on the root as it is, no model'
complete -c forge -n "__fish_forge_using_subcommand help; and not __fish_seen_subcommand_from converge check contract init runs evidence scan key diff apply reject hook config doctor metrics serve completions man help" -f -a "contract" -d 'Lint a contract or print its JSON Schema'
complete -c forge -n "__fish_forge_using_subcommand help; and not __fish_seen_subcommand_from converge check contract init runs evidence scan key diff apply reject hook config doctor metrics serve completions man help" -f -a "init" -d 'Write a starter contract under contracts/'
complete -c forge -n "__fish_forge_using_subcommand help; and not __fish_seen_subcommand_from converge check contract init runs evidence scan key diff apply reject hook config doctor metrics serve completions man help" -f -a "runs" -d 'The run history'
complete -c forge -n "__fish_forge_using_subcommand help; and not __fish_seen_subcommand_from converge check contract init runs evidence scan key diff apply reject hook config doctor metrics serve completions man help" -f -a "evidence" -d 'Show, export, verify and recheck evidence packs'
complete -c forge -n "__fish_forge_using_subcommand help; and not __fish_seen_subcommand_from converge check contract init runs evidence scan key diff apply reject hook config doctor metrics serve completions man help" -f -a "scan" -d 'Look for secrets and personal data in files (default: the root\'s files git would track)'
complete -c forge -n "__fish_forge_using_subcommand help; and not __fish_seen_subcommand_from converge check contract init runs evidence scan key diff apply reject hook config doctor metrics serve completions man help" -f -a "key" -d 'Manage the ed25519 key evidence is signed with'
complete -c forge -n "__fish_forge_using_subcommand help; and not __fish_seen_subcommand_from converge check contract init runs evidence scan key diff apply reject hook config doctor metrics serve completions man help" -f -a "diff" -d 'Show what a run would change in the root, as a unified diff'
complete -c forge -n "__fish_forge_using_subcommand help; and not __fish_seen_subcommand_from converge check contract init runs evidence scan key diff apply reject hook config doctor metrics serve completions man help" -f -a "apply" -d 'Approve a run and write its files back to the root'
complete -c forge -n "__fish_forge_using_subcommand help; and not __fish_seen_subcommand_from converge check contract init runs evidence scan key diff apply reject hook config doctor metrics serve completions man help" -f -a "reject" -d 'Reject a run: its files are never written back'
complete -c forge -n "__fish_forge_using_subcommand help; and not __fish_seen_subcommand_from converge check contract init runs evidence scan key diff apply reject hook config doctor metrics serve completions man help" -f -a "hook" -d 'Install forge as a git hook'
complete -c forge -n "__fish_forge_using_subcommand help; and not __fish_seen_subcommand_from converge check contract init runs evidence scan key diff apply reject hook config doctor metrics serve completions man help" -f -a "config" -d 'Show forge\'s effective settings and where each comes from'
complete -c forge -n "__fish_forge_using_subcommand help; and not __fish_seen_subcommand_from converge check contract init runs evidence scan key diff apply reject hook config doctor metrics serve completions man help" -f -a "doctor" -d 'Check this machine for what forge needs (provider key, tools, sandbox, .forge, clock)'
complete -c forge -n "__fish_forge_using_subcommand help; and not __fish_seen_subcommand_from converge check contract init runs evidence scan key diff apply reject hook config doctor metrics serve completions man help" -f -a "metrics" -d 'Print the run history as Prometheus metrics'
complete -c forge -n "__fish_forge_using_subcommand help; and not __fish_seen_subcommand_from converge check contract init runs evidence scan key diff apply reject hook config doctor metrics serve completions man help" -f -a "serve" -d 'Serve converge runs, the history and metrics over HTTP (and manage its tokens)'
complete -c forge -n "__fish_forge_using_subcommand help; and not __fish_seen_subcommand_from converge check contract init runs evidence scan key diff apply reject hook config doctor metrics serve completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c forge -n "__fish_forge_using_subcommand help; and not __fish_seen_subcommand_from converge check contract init runs evidence scan key diff apply reject hook config doctor metrics serve completions man help" -f -a "man" -d 'Write the man pages (used to keep man/ current)'
complete -c forge -n "__fish_forge_using_subcommand help; and not __fish_seen_subcommand_from converge check contract init runs evidence scan key diff apply reject hook config doctor metrics serve completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c forge -n "__fish_forge_using_subcommand help; and __fish_seen_subcommand_from contract" -f -a "lint" -d 'Validate a contract'
complete -c forge -n "__fish_forge_using_subcommand help; and __fish_seen_subcommand_from contract" -f -a "schema" -d 'Print the contract\'s JSON Schema'
complete -c forge -n "__fish_forge_using_subcommand help; and __fish_seen_subcommand_from runs" -f -a "list" -d 'The run history, newest first'
complete -c forge -n "__fish_forge_using_subcommand help; and __fish_seen_subcommand_from runs" -f -a "show" -d 'One run with its iterations and validator results'
complete -c forge -n "__fish_forge_using_subcommand help; and __fish_seen_subcommand_from evidence" -f -a "show" -d 'Print a pack\'s Markdown'
complete -c forge -n "__fish_forge_using_subcommand help; and __fish_seen_subcommand_from evidence" -f -a "export" -d 'Write a run\'s pack as JSON, Markdown, or a signed in-toto attestation'
complete -c forge -n "__fish_forge_using_subcommand help; and __fish_seen_subcommand_from evidence" -f -a "verify" -d 'Check a pack\'s hash and signatures, and optionally the files it lists'
complete -c forge -n "__fish_forge_using_subcommand help; and __fish_seen_subcommand_from evidence" -f -a "verify-chain" -d 'Check every pack of the root and the chain linking them (metadata.previous)'
complete -c forge -n "__fish_forge_using_subcommand help; and __fish_seen_subcommand_from evidence" -f -a "recheck" -d 'Run the stored contract\'s validators again on the kept artifacts and compare with the pack'
complete -c forge -n "__fish_forge_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "generate" -d 'Write a new ed25519 pair: forge-signing.key (PKCS#8 PEM, 0600) and forge-signing.pub (SPKI PEM)'
complete -c forge -n "__fish_forge_using_subcommand help; and __fish_seen_subcommand_from hook" -f -a "install" -d 'Write .git/hooks/pre-commit running `forge check` on the contracts'
complete -c forge -n "__fish_forge_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Every effective setting and where it came from (flag, env, contract, config file, default)'
complete -c forge -n "__fish_forge_using_subcommand help; and __fish_seen_subcommand_from serve" -f -a "token" -d 'Create, list and revoke the bearer tokens of `forge serve`'
