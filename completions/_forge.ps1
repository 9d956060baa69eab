
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'forge' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'forge'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'forge' {
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('converge', 'converge', [CompletionResultType]::ParameterValue, 'Generate → validate → refine until the contract is met')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Run the validators once on the root as it is, no model')
            [CompletionResult]::new('contract', 'contract', [CompletionResultType]::ParameterValue, 'Lint a contract or print its JSON Schema')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a starter contract under contracts/')
            [CompletionResult]::new('runs', 'runs', [CompletionResultType]::ParameterValue, 'The run history')
            [CompletionResult]::new('evidence', 'evidence', [CompletionResultType]::ParameterValue, 'Show, export, verify and recheck evidence packs')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Look for secrets and personal data in files (default: the root''s files git would track)')
            [CompletionResult]::new('key', 'key', [CompletionResultType]::ParameterValue, 'Manage the ed25519 key evidence is signed with')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show what a run would change in the root, as a unified diff')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Approve a run and write its files back to the root')
            [CompletionResult]::new('reject', 'reject', [CompletionResultType]::ParameterValue, 'Reject a run: its files are never written back')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Install forge as a git hook')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show forge''s effective settings and where each comes from')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check this machine for what forge needs (provider key, tools, sandbox, .forge, clock)')
            [CompletionResult]::new('metrics', 'metrics', [CompletionResultType]::ParameterValue, 'Print the run history as Prometheus metrics')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve converge runs, the history and metrics over HTTP (and manage its tokens)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write the man pages (used to keep man/ current)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'forge;converge' {
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'openai | anthropic | ollama')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'model')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'The provider''s API root, e.g. https://api.openai.com/v1')
            [CompletionResult]::new('--max-iterations', '--max-iterations', [CompletionResultType]::ParameterName, 'max-iterations')
            [CompletionResult]::new('--threshold', '--threshold', [CompletionResultType]::ParameterName, 'threshold')
            [CompletionResult]::new('--token-budget', '--token-budget', [CompletionResultType]::ParameterName, 'token-budget')
            [CompletionResult]::new('--replay', '--replay', [CompletionResultType]::ParameterName, 'Answer from a recorded cassette instead of a provider (no key needed)')
            [CompletionResult]::new('--record', '--record', [CompletionResultType]::ParameterName, 'Record every model exchange of the run to a cassette')
            [CompletionResult]::new('--signing-key', '--signing-key', [CompletionResultType]::ParameterName, 'Also sign the pack with this ed25519 key (PKCS#8 PEM; default: FORGE_SIGNING_KEY, then $XDG_CONFIG_HOME/forge/forge-signing.key if it exists)')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--no-apply', '--no-apply', [CompletionResultType]::ParameterName, 'Leave the root untouched even when the run converges')
            [CompletionResult]::new('--confirm', '--confirm', [CompletionResultType]::ParameterName, 'Write back only once approved: show the diff and ask on a terminal, else leave the run for `forge apply` (as `approval: required` in the contract does)')
            [CompletionResult]::new('--allow-degraded', '--allow-degraded', [CompletionResultType]::ParameterName, 'Exit 0 for a converged run even if a validator''s breaker opened')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;check' {
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;contract' {
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Validate a contract')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the contract''s JSON Schema')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'forge;contract;lint' {
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;contract;schema' {
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;contract;help' {
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Validate a contract')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the contract''s JSON Schema')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'forge;contract;help;lint' {
            break
        }
        'forge;contract;help;schema' {
            break
        }
        'forge;contract;help;help' {
            break
        }
        'forge;init' {
            [CompletionResult]::new('--template', '--template', [CompletionResultType]::ParameterName, 'Starter to write')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;runs' {
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The run history, newest first')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'One run with its iterations and validator results')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'forge;runs;list' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'limit')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only runs with this status (converged, max_iterations, stagnated, ...)')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;runs;show' {
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;runs;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The run history, newest first')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'One run with its iterations and validator results')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'forge;runs;help;list' {
            break
        }
        'forge;runs;help;show' {
            break
        }
        'forge;runs;help;help' {
            break
        }
        'forge;evidence' {
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a pack''s Markdown')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write a run''s pack as JSON, Markdown, or a signed in-toto attestation')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a pack''s hash and signatures, and optionally the files it lists')
            [CompletionResult]::new('verify-chain', 'verify-chain', [CompletionResultType]::ParameterValue, 'Check every pack of the root and the chain linking them (metadata.previous)')
            [CompletionResult]::new('recheck', 'recheck', [CompletionResultType]::ParameterValue, 'Run the stored contract''s validators again on the kept artifacts and compare with the pack')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'forge;evidence;show' {
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;evidence;export' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write here instead of stdout (atomically; only ever replaces a regular file)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write here instead of stdout (atomically; only ever replaces a regular file)')
            [CompletionResult]::new('--signing-key', '--signing-key', [CompletionResultType]::ParameterName, 'in-toto: the ed25519 key to sign with (default: FORGE_SIGNING_KEY, then $XDG_CONFIG_HOME/forge/forge-signing.key)')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;evidence;verify' {
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'The HMAC evidence key (default: FORGE_EVIDENCE_KEY, then $XDG_CONFIG_HOME/forge/evidence.key)')
            [CompletionResult]::new('--public-key', '--public-key', [CompletionResultType]::ParameterName, 'Trust ed25519 signatures by this public key (SPKI PEM); repeatable')
            [CompletionResult]::new('--artifacts', '--artifacts', [CompletionResultType]::ParameterName, 'Also check that the pack''s artifacts match the files under DIR')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;evidence;verify-chain' {
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'The HMAC evidence key (default: FORGE_EVIDENCE_KEY, then $XDG_CONFIG_HOME/forge/evidence.key)')
            [CompletionResult]::new('--public-key', '--public-key', [CompletionResultType]::ParameterName, 'Trust ed25519 signatures by this public key (SPKI PEM); repeatable')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;evidence;recheck' {
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;evidence;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a pack''s Markdown')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write a run''s pack as JSON, Markdown, or a signed in-toto attestation')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a pack''s hash and signatures, and optionally the files it lists')
            [CompletionResult]::new('verify-chain', 'verify-chain', [CompletionResultType]::ParameterValue, 'Check every pack of the root and the chain linking them (metadata.previous)')
            [CompletionResult]::new('recheck', 'recheck', [CompletionResultType]::ParameterValue, 'Run the stored contract''s validators again on the kept artifacts and compare with the pack')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'forge;evidence;help;show' {
            break
        }
        'forge;evidence;help;export' {
            break
        }
        'forge;evidence;help;verify' {
            break
        }
        'forge;evidence;help;verify-chain' {
            break
        }
        'forge;evidence;help;recheck' {
            break
        }
        'forge;evidence;help;help' {
            break
        }
        'forge;scan' {
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--pii', '--pii', [CompletionResultType]::ParameterName, 'Also report personal data: e-mail addresses, phone numbers, IBANs, card numbers')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;key' {
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Write a new ed25519 pair: forge-signing.key (PKCS#8 PEM, 0600) and forge-signing.pub (SPKI PEM)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'forge;key;generate' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Folder to write into (default: $XDG_CONFIG_HOME/forge)')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;key;help' {
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Write a new ed25519 pair: forge-signing.key (PKCS#8 PEM, 0600) and forge-signing.pub (SPKI PEM)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'forge;key;help;generate' {
            break
        }
        'forge;key;help;help' {
            break
        }
        'forge;diff' {
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;apply' {
            [CompletionResult]::new('--approver', '--approver', [CompletionResultType]::ParameterName, 'Who approves (default: git''s user.email)')
            [CompletionResult]::new('--signing-key', '--signing-key', [CompletionResultType]::ParameterName, 'Also sign approval.json with this ed25519 key (PKCS#8 PEM; default: FORGE_SIGNING_KEY, then $XDG_CONFIG_HOME/forge/forge-signing.key if it exists)')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask: approve and write back at once (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask: approve and write back at once (needed when not on a terminal)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;reject' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why, kept in approval.json')
            [CompletionResult]::new('--approver', '--approver', [CompletionResultType]::ParameterName, 'Who rejects (default: git''s user.email)')
            [CompletionResult]::new('--signing-key', '--signing-key', [CompletionResultType]::ParameterName, 'Also sign approval.json with this ed25519 key (PKCS#8 PEM; default: FORGE_SIGNING_KEY, then $XDG_CONFIG_HOME/forge/forge-signing.key if it exists)')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;hook' {
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Write .git/hooks/pre-commit running `forge check` on the contracts')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'forge;hook;install' {
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace a pre-commit hook forge did not write (the old one is kept as pre-commit.bak)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;hook;help' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Write .git/hooks/pre-commit running `forge check` on the contracts')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'forge;hook;help;install' {
            break
        }
        'forge;hook;help;help' {
            break
        }
        'forge;config' {
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Every effective setting and where it came from (flag, env, contract, config file, default)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'forge;config;show' {
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'openai | anthropic | ollama')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'model')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'The provider''s API root, e.g. https://api.openai.com/v1')
            [CompletionResult]::new('--max-iterations', '--max-iterations', [CompletionResultType]::ParameterName, 'max-iterations')
            [CompletionResult]::new('--threshold', '--threshold', [CompletionResultType]::ParameterName, 'threshold')
            [CompletionResult]::new('--token-budget', '--token-budget', [CompletionResultType]::ParameterName, 'token-budget')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;config;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Every effective setting and where it came from (flag, env, contract, config file, default)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'forge;config;help;show' {
            break
        }
        'forge;config;help;help' {
            break
        }
        'forge;doctor' {
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;metrics' {
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;serve' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on (port 0 picks a free port; the bound address is printed)')
            [CompletionResult]::new('--max-concurrent', '--max-concurrent', [CompletionResultType]::ParameterName, 'Runs beyond this many at once wait as QUEUED')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Server state: tokens (default: $XDG_STATE_HOME/forge/serve)')
            [CompletionResult]::new('--jwks', '--jwks', [CompletionResultType]::ParameterName, 'Also accept JWT bearers signed by a key of this JWKS (RS256 or ES256)')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'The `iss` a JWT must carry')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, 'The `aud` a JWT must carry')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--metrics-public', '--metrics-public', [CompletionResultType]::ParameterName, 'Serve GET /metrics without a token')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Create, list and revoke the bearer tokens of `forge serve`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'forge;serve;token' {
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Server state: tokens (default: $XDG_STATE_HOME/forge/serve)')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a token and print it (once: only its hash is kept)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The tokens, without their secrets')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a token by name; requests bearing it get 401 from then on')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'forge;serve;token;create' {
            [CompletionResult]::new('--rate-per-minute', '--rate-per-minute', [CompletionResultType]::ParameterName, 'Requests per minute (default: unlimited)')
            [CompletionResult]::new('--max-concurrent', '--max-concurrent', [CompletionResultType]::ParameterName, 'Runs of this token at once, queued included (default: unlimited)')
            [CompletionResult]::new('--daily-tokens', '--daily-tokens', [CompletionResultType]::ParameterName, 'Model tokens per UTC day over this token''s runs (default: unlimited)')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Server state: tokens (default: $XDG_STATE_HOME/forge/serve)')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;serve;token;list' {
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Server state: tokens (default: $XDG_STATE_HOME/forge/serve)')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;serve;token;revoke' {
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Server state: tokens (default: $XDG_STATE_HOME/forge/serve)')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;serve;token;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a token and print it (once: only its hash is kept)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The tokens, without their secrets')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a token by name; requests bearing it get 401 from then on')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'forge;serve;token;help;create' {
            break
        }
        'forge;serve;token;help;list' {
            break
        }
        'forge;serve;token;help;revoke' {
            break
        }
        'forge;serve;token;help;help' {
            break
        }
        'forge;serve;help' {
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Create, list and revoke the bearer tokens of `forge serve`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'forge;serve;help;token' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a token and print it (once: only its hash is kept)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The tokens, without their secrets')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a token by name; requests bearing it get 401 from then on')
            break
        }
        'forge;serve;help;token;create' {
            break
        }
        'forge;serve;help;token;list' {
            break
        }
        'forge;serve;help;token;revoke' {
            break
        }
        'forge;serve;help;help' {
            break
        }
        'forge;completions' {
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;man' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Folder to write forge.1 and one page per subcommand into')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Workspace root (default: the contract''s `root:`, else its git top level, else the current folder)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress bars or spinners, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'forge;help' {
            [CompletionResult]::new('converge', 'converge', [CompletionResultType]::ParameterValue, 'Generate → validate → refine until the contract is met')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Run the validators once on the root as it is, no model')
            [CompletionResult]::new('contract', 'contract', [CompletionResultType]::ParameterValue, 'Lint a contract or print its JSON Schema')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a starter contract under contracts/')
            [CompletionResult]::new('runs', 'runs', [CompletionResultType]::ParameterValue, 'The run history')
            [CompletionResult]::new('evidence', 'evidence', [CompletionResultType]::ParameterValue, 'Show, export, verify and recheck evidence packs')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Look for secrets and personal data in files (default: the root''s files git would track)')
            [CompletionResult]::new('key', 'key', [CompletionResultType]::ParameterValue, 'Manage the ed25519 key evidence is signed with')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show what a run would change in the root, as a unified diff')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Approve a run and write its files back to the root')
            [CompletionResult]::new('reject', 'reject', [CompletionResultType]::ParameterValue, 'Reject a run: its files are never written back')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Install forge as a git hook')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show forge''s effective settings and where each comes from')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check this machine for what forge needs (provider key, tools, sandbox, .forge, clock)')
            [CompletionResult]::new('metrics', 'metrics', [CompletionResultType]::ParameterValue, 'Print the run history as Prometheus metrics')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve converge runs, the history and metrics over HTTP (and manage its tokens)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write the man pages (used to keep man/ current)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'forge;help;converge' {
            break
        }
        'forge;help;check' {
            break
        }
        'forge;help;contract' {
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Validate a contract')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the contract''s JSON Schema')
            break
        }
        'forge;help;contract;lint' {
            break
        }
        'forge;help;contract;schema' {
            break
        }
        'forge;help;init' {
            break
        }
        'forge;help;runs' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The run history, newest first')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'One run with its iterations and validator results')
            break
        }
        'forge;help;runs;list' {
            break
        }
        'forge;help;runs;show' {
            break
        }
        'forge;help;evidence' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a pack''s Markdown')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write a run''s pack as JSON, Markdown, or a signed in-toto attestation')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a pack''s hash and signatures, and optionally the files it lists')
            [CompletionResult]::new('verify-chain', 'verify-chain', [CompletionResultType]::ParameterValue, 'Check every pack of the root and the chain linking them (metadata.previous)')
            [CompletionResult]::new('recheck', 'recheck', [CompletionResultType]::ParameterValue, 'Run the stored contract''s validators again on the kept artifacts and compare with the pack')
            break
        }
        'forge;help;evidence;show' {
            break
        }
        'forge;help;evidence;export' {
            break
        }
        'forge;help;evidence;verify' {
            break
        }
        'forge;help;evidence;verify-chain' {
            break
        }
        'forge;help;evidence;recheck' {
            break
        }
        'forge;help;scan' {
            break
        }
        'forge;help;key' {
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Write a new ed25519 pair: forge-signing.key (PKCS#8 PEM, 0600) and forge-signing.pub (SPKI PEM)')
            break
        }
        'forge;help;key;generate' {
            break
        }
        'forge;help;diff' {
            break
        }
        'forge;help;apply' {
            break
        }
        'forge;help;reject' {
            break
        }
        'forge;help;hook' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Write .git/hooks/pre-commit running `forge check` on the contracts')
            break
        }
        'forge;help;hook;install' {
            break
        }
        'forge;help;config' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Every effective setting and where it came from (flag, env, contract, config file, default)')
            break
        }
        'forge;help;config;show' {
            break
        }
        'forge;help;doctor' {
            break
        }
        'forge;help;metrics' {
            break
        }
        'forge;help;serve' {
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Create, list and revoke the bearer tokens of `forge serve`')
            break
        }
        'forge;help;serve;token' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a token and print it (once: only its hash is kept)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The tokens, without their secrets')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a token by name; requests bearing it get 401 from then on')
            break
        }
        'forge;help;serve;token;create' {
            break
        }
        'forge;help;serve;token;list' {
            break
        }
        'forge;help;serve;token;revoke' {
            break
        }
        'forge;help;completions' {
            break
        }
        'forge;help;man' {
            break
        }
        'forge;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
