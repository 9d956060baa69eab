
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
            cand evidence 'Show, export and verify evidence packs'
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
            cand --root 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --no-apply 'Leave the root untouched even when the run converges'
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
            cand export 'Write a run''s pack as JSON or Markdown'
            cand verify 'Check a pack''s hashes and signature'
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
            cand -o 'o'
            cand --output 'output'
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
        &'forge;evidence;verify'= {
            cand --key-file 'The evidence key (default: FORGE_EVIDENCE_KEY, then $XDG_CONFIG_HOME/forge/evidence.key)'
            cand --artifacts 'Also check that the pack''s artifacts still match the files under DIR'
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
            cand export 'Write a run''s pack as JSON or Markdown'
            cand verify 'Check a pack''s hashes and signature'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'forge;evidence;help;show'= {
        }
        &'forge;evidence;help;export'= {
        }
        &'forge;evidence;help;verify'= {
        }
        &'forge;evidence;help;help'= {
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
            cand evidence 'Show, export and verify evidence packs'
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
            cand export 'Write a run''s pack as JSON or Markdown'
            cand verify 'Check a pack''s hashes and signature'
        }
        &'forge;help;evidence;show'= {
        }
        &'forge;help;evidence;export'= {
        }
        &'forge;help;evidence;verify'= {
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
