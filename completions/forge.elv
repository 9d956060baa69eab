
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
            cand scan 'Look for secrets and personal data in files (default: the root''s files git would track)'
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
            cand scan 'Look for secrets and personal data in files (default: the root''s files git would track)'
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
        &'forge;help;scan'= {
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
