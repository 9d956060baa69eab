
use builtin;
use str;

set edit:completion:arg-completer[forge] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'forge'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'forge'= {
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand converge 'Generate → validate → refine until the contract is met'
            cand check 'Run the validators once on the root as it is, no model'
            cand contract 'Lint a contract or print its JSON Schema'
            cand init 'Write a starter contract under contracts/'
            cand runs 'The run history'
            cand evidence 'Show, export, verify and recheck evidence packs'
            cand scan 'Look for secrets and personal data in files (default: the root''s files git would track)'
            cand key 'Manage the ed25519 key evidence is signed with'
            cand diff 'Show what a run would change in the root, as a unified diff'
            cand apply 'Approve a run and write its files back to the root'
            cand reject 'Reject a run: its files are never written back'
            cand hook 'Install forge as a git hook'
            cand config 'Show forge''s effective settings and where each comes from'
            cand doctor 'Check this machine for what forge needs (provider key, tools, sandbox, .forge, clock)'
            cand metrics 'Print the run history as Prometheus metrics'
            cand serve 'Serve converge runs, the history and metrics over HTTP (and manage its tokens)'
            cand completions 'Print a shell completion script'
            cand man 'Write the man pages (used to keep man/ current)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'forge;converge'= {
            cand --provider 'openai | anthropic | ollama'
            cand --model 'model'
            cand --base-url 'The provider''s API root, e.g. https://api.openai.com/v1'
            cand --max-iterations 'max-iterations'
            cand --threshold 'threshold'
            cand --token-budget 'token-budget'
            cand --replay 'Answer from a recorded cassette instead of a provider (no key needed)'
            cand --record 'Record every model exchange of the run to a cassette'
            cand --signing-key 'Also sign the pack with this ed25519 key (PKCS#8 PEM; default: FORGE_SIGNING_KEY, then $XDG_CONFIG_HOME/forge/forge-signing.key if it exists)'
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --no-apply 'Leave the root untouched even when the run converges'
            cand --confirm 'Write back only once approved: show the diff and ask on a terminal, else leave the run for `forge apply` (as `approval: required` in the contract does)'
            cand --allow-degraded 'Exit 0 for a converged run even if a validator''s breaker opened'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;check'= {
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;contract'= {
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand lint 'Validate a contract'
            cand schema 'Print the contract''s JSON Schema'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'forge;contract;lint'= {
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;contract;schema'= {
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;contract;help'= {
            cand lint 'Validate a contract'
            cand schema 'Print the contract''s JSON Schema'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'forge;contract;help;lint'= {
        }
        &'forge;contract;help;schema'= {
        }
        &'forge;contract;help;help'= {
        }
        &'forge;init'= {
            cand --template 'Starter to write'
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;runs'= {
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'The run history, newest first'
            cand show 'One run with its iterations and validator results'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'forge;runs;list'= {
            cand --limit 'limit'
            cand --status 'Only runs with this status (converged, max_iterations, stagnated, ...)'
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;runs;show'= {
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;runs;help'= {
            cand list 'The run history, newest first'
            cand show 'One run with its iterations and validator results'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'forge;runs;help;list'= {
        }
        &'forge;runs;help;show'= {
        }
        &'forge;runs;help;help'= {
        }
        &'forge;evidence'= {
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand show 'Print a pack''s Markdown'
            cand export 'Write a run''s pack as JSON, Markdown, or a signed in-toto attestation'
            cand verify 'Check a pack''s hash and signatures, and optionally the files it lists'
            cand verify-chain 'Check every pack of the root and the chain linking them (metadata.previous)'
            cand recheck 'Run the stored contract''s validators again on the kept artifacts and compare with the pack'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'forge;evidence;show'= {
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;evidence;export'= {
            cand --format 'format'
            cand -o 'Write here instead of stdout (atomically; only ever replaces a regular file)'
            cand --output 'Write here instead of stdout (atomically; only ever replaces a regular file)'
            cand --signing-key 'in-toto: the ed25519 key to sign with (default: FORGE_SIGNING_KEY, then $XDG_CONFIG_HOME/forge/forge-signing.key)'
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;evidence;verify'= {
            cand --key-file 'The HMAC evidence key (default: FORGE_EVIDENCE_KEY, then $XDG_CONFIG_HOME/forge/evidence.key)'
            cand --public-key 'Trust ed25519 signatures by this public key (SPKI PEM); repeatable'
            cand --artifacts 'Also check that the pack''s artifacts match the files under DIR'
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;evidence;verify-chain'= {
            cand --key-file 'The HMAC evidence key (default: FORGE_EVIDENCE_KEY, then $XDG_CONFIG_HOME/forge/evidence.key)'
            cand --public-key 'Trust ed25519 signatures by this public key (SPKI PEM); repeatable'
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;evidence;recheck'= {
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;evidence;help'= {
            cand show 'Print a pack''s Markdown'
            cand export 'Write a run''s pack as JSON, Markdown, or a signed in-toto attestation'
            cand verify 'Check a pack''s hash and signatures, and optionally the files it lists'
            cand verify-chain 'Check every pack of the root and the chain linking them (metadata.previous)'
            cand recheck 'Run the stored contract''s validators again on the kept artifacts and compare with the pack'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'forge;evidence;help;show'= {
        }
        &'forge;evidence;help;export'= {
        }
        &'forge;evidence;help;verify'= {
        }
        &'forge;evidence;help;verify-chain'= {
        }
        &'forge;evidence;help;recheck'= {
        }
        &'forge;evidence;help;help'= {
        }
        &'forge;scan'= {
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --pii 'Also report personal data: e-mail addresses, phone numbers, IBANs, card numbers'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;key'= {
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand generate 'Write a new ed25519 pair: forge-signing.key (PKCS#8 PEM, 0600) and forge-signing.pub (SPKI PEM)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'forge;key;generate'= {
            cand --out 'Folder to write into (default: $XDG_CONFIG_HOME/forge)'
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;key;help'= {
            cand generate 'Write a new ed25519 pair: forge-signing.key (PKCS#8 PEM, 0600) and forge-signing.pub (SPKI PEM)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'forge;key;help;generate'= {
        }
        &'forge;key;help;help'= {
        }
        &'forge;diff'= {
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;apply'= {
            cand --approver 'Who approves (default: git''s user.email)'
            cand --signing-key 'Also sign approval.json with this ed25519 key (PKCS#8 PEM; default: FORGE_SIGNING_KEY, then $XDG_CONFIG_HOME/forge/forge-signing.key if it exists)'
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand -y 'Do not ask: approve and write back at once (needed when not on a terminal)'
            cand --yes 'Do not ask: approve and write back at once (needed when not on a terminal)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;reject'= {
            cand --reason 'Why, kept in approval.json'
            cand --approver 'Who rejects (default: git''s user.email)'
            cand --signing-key 'Also sign approval.json with this ed25519 key (PKCS#8 PEM; default: FORGE_SIGNING_KEY, then $XDG_CONFIG_HOME/forge/forge-signing.key if it exists)'
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;hook'= {
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand install 'Write .git/hooks/pre-commit running `forge check` on the contracts'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'forge;hook;install'= {
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --force 'Replace a pre-commit hook forge did not write (the old one is kept as pre-commit.bak)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;hook;help'= {
            cand install 'Write .git/hooks/pre-commit running `forge check` on the contracts'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'forge;hook;help;install'= {
        }
        &'forge;hook;help;help'= {
        }
        &'forge;config'= {
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand show 'Every effective setting and where it came from (flag, env, contract, config file, default)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'forge;config;show'= {
            cand --provider 'openai | anthropic | ollama'
            cand --model 'model'
            cand --base-url 'The provider''s API root, e.g. https://api.openai.com/v1'
            cand --max-iterations 'max-iterations'
            cand --threshold 'threshold'
            cand --token-budget 'token-budget'
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;config;help'= {
            cand show 'Every effective setting and where it came from (flag, env, contract, config file, default)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'forge;config;help;show'= {
        }
        &'forge;config;help;help'= {
        }
        &'forge;doctor'= {
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;metrics'= {
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;serve'= {
            cand --listen 'Address to listen on (port 0 picks a free port; the bound address is printed)'
            cand --max-concurrent 'Runs beyond this many at once wait as QUEUED'
            cand --state 'Server state: tokens (default: $XDG_STATE_HOME/forge/serve)'
            cand --jwks 'Also accept JWT bearers signed by a key of this JWKS (RS256 or ES256)'
            cand --issuer 'The `iss` a JWT must carry'
            cand --audience 'The `aud` a JWT must carry'
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --metrics-public 'Serve GET /metrics without a token'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand token 'Create, list and revoke the bearer tokens of `forge serve`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'forge;serve;token'= {
            cand --state 'Server state: tokens (default: $XDG_STATE_HOME/forge/serve)'
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Create a token and print it (once: only its hash is kept)'
            cand list 'The tokens, without their secrets'
            cand revoke 'Revoke a token by name; requests bearing it get 401 from then on'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'forge;serve;token;create'= {
            cand --rate-per-minute 'Requests per minute (default: unlimited)'
            cand --max-concurrent 'Runs of this token at once, queued included (default: unlimited)'
            cand --daily-tokens 'Model tokens per UTC day over this token''s runs (default: unlimited)'
            cand --state 'Server state: tokens (default: $XDG_STATE_HOME/forge/serve)'
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;serve;token;list'= {
            cand --state 'Server state: tokens (default: $XDG_STATE_HOME/forge/serve)'
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;serve;token;revoke'= {
            cand --state 'Server state: tokens (default: $XDG_STATE_HOME/forge/serve)'
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;serve;token;help'= {
            cand create 'Create a token and print it (once: only its hash is kept)'
            cand list 'The tokens, without their secrets'
            cand revoke 'Revoke a token by name; requests bearing it get 401 from then on'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'forge;serve;token;help;create'= {
        }
        &'forge;serve;token;help;list'= {
        }
        &'forge;serve;token;help;revoke'= {
        }
        &'forge;serve;token;help;help'= {
        }
        &'forge;serve;help'= {
            cand token 'Create, list and revoke the bearer tokens of `forge serve`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'forge;serve;help;token'= {
            cand create 'Create a token and print it (once: only its hash is kept)'
            cand list 'The tokens, without their secrets'
            cand revoke 'Revoke a token by name; requests bearing it get 401 from then on'
        }
        &'forge;serve;help;token;create'= {
        }
        &'forge;serve;help;token;list'= {
        }
        &'forge;serve;help;token;revoke'= {
        }
        &'forge;serve;help;help'= {
        }
        &'forge;completions'= {
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;man'= {
            cand --out 'Folder to write forge.1 and one page per subcommand into'
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --json 'Machine-readable output on stdout'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand --no-progress 'No progress bars or spinners, even on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'forge;help'= {
            cand converge 'Generate → validate → refine until the contract is met'
            cand check 'Run the validators once on the root as it is, no model'
            cand contract 'Lint a contract or print its JSON Schema'
            cand init 'Write a starter contract under contracts/'
            cand runs 'The run history'
            cand evidence 'Show, export, verify and recheck evidence packs'
            cand scan 'Look for secrets and personal data in files (default: the root''s files git would track)'
            cand key 'Manage the ed25519 key evidence is signed with'
            cand diff 'Show what a run would change in the root, as a unified diff'
            cand apply 'Approve a run and write its files back to the root'
            cand reject 'Reject a run: its files are never written back'
            cand hook 'Install forge as a git hook'
            cand config 'Show forge''s effective settings and where each comes from'
            cand doctor 'Check this machine for what forge needs (provider key, tools, sandbox, .forge, clock)'
            cand metrics 'Print the run history as Prometheus metrics'
            cand serve 'Serve converge runs, the history and metrics over HTTP (and manage its tokens)'
            cand completions 'Print a shell completion script'
            cand man 'Write the man pages (used to keep man/ current)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'forge;help;converge'= {
        }
        &'forge;help;check'= {
        }
        &'forge;help;contract'= {
            cand lint 'Validate a contract'
            cand schema 'Print the contract''s JSON Schema'
        }
        &'forge;help;contract;lint'= {
        }
        &'forge;help;contract;schema'= {
        }
        &'forge;help;init'= {
        }
        &'forge;help;runs'= {
            cand list 'The run history, newest first'
            cand show 'One run with its iterations and validator results'
        }
        &'forge;help;runs;list'= {
        }
        &'forge;help;runs;show'= {
        }
        &'forge;help;evidence'= {
            cand show 'Print a pack''s Markdown'
            cand export 'Write a run''s pack as JSON, Markdown, or a signed in-toto attestation'
            cand verify 'Check a pack''s hash and signatures, and optionally the files it lists'
            cand verify-chain 'Check every pack of the root and the chain linking them (metadata.previous)'
            cand recheck 'Run the stored contract''s validators again on the kept artifacts and compare with the pack'
        }
        &'forge;help;evidence;show'= {
        }
        &'forge;help;evidence;export'= {
        }
        &'forge;help;evidence;verify'= {
        }
        &'forge;help;evidence;verify-chain'= {
        }
        &'forge;help;evidence;recheck'= {
        }
        &'forge;help;scan'= {
        }
        &'forge;help;key'= {
            cand generate 'Write a new ed25519 pair: forge-signing.key (PKCS#8 PEM, 0600) and forge-signing.pub (SPKI PEM)'
        }
        &'forge;help;key;generate'= {
        }
        &'forge;help;diff'= {
        }
        &'forge;help;apply'= {
        }
        &'forge;help;reject'= {
        }
        &'forge;help;hook'= {
            cand install 'Write .git/hooks/pre-commit running `forge check` on the contracts'
        }
        &'forge;help;hook;install'= {
        }
        &'forge;help;config'= {
            cand show 'Every effective setting and where it came from (flag, env, contract, config file, default)'
        }
        &'forge;help;config;show'= {
        }
        &'forge;help;doctor'= {
        }
        &'forge;help;metrics'= {
        }
        &'forge;help;serve'= {
            cand token 'Create, list and revoke the bearer tokens of `forge serve`'
        }
        &'forge;help;serve;token'= {
            cand create 'Create a token and print it (once: only its hash is kept)'
            cand list 'The tokens, without their secrets'
            cand revoke 'Revoke a token by name; requests bearing it get 401 from then on'
        }
        &'forge;help;serve;token;create'= {
        }
        &'forge;help;serve;token;list'= {
        }
        &'forge;help;serve;token;revoke'= {
        }
        &'forge;help;completions'= {
        }
        &'forge;help;man'= {
        }
        &'forge;help;help'= {
        }
    ]
    $completions[$command]
}
