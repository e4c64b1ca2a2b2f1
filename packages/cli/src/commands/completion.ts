import type { Argv, CommandModule } from "yargs";
import type { GlobalArgs } from "../context/global-options.js";
import { println, type CliIo } from "../io.js";
import { runHandler, type CommandContext } from "./command-context.js";

/** Shells `completion` writes a script for. */
export const COMPLETION_SHELLS = ["bash", "zsh"] as const;
/** One of COMPLETION_SHELLS. */
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/** Parsed `completion` arguments. */
export interface CompletionArgs extends GlobalArgs {
  shell?: CompletionShell;
}

// Both scripts ask the program itself what may come next (yargs answers `--get-yargs-completions
// <words...>` with commands, options or an option's choices, one a line), as yargs' own scripts do;
// the zsh one sets ZSH_NAME so the answer carries descriptions whatever the login shell is.
const BASH = `###-begin-{{name}}-completions-###
# {{name}} completion for bash. Install: {{name}} completion bash >> ~/.bashrc
_{{fn}}_completions()
{
    local cur_word type_list
    cur_word="\${COMP_WORDS[COMP_CWORD]}"
    mapfile -t type_list < <({{name}} --get-yargs-completions "\${COMP_WORDS[@]:0:COMP_CWORD+1}" 2>/dev/null)
    mapfile -t COMPREPLY < <(compgen -W "$(printf '%q ' "\${type_list[@]}")" -- "\${cur_word}")
    return 0
}
complete -o bashdefault -o default -F _{{fn}}_completions {{name}}
###-end-{{name}}-completions-###
`;

const ZSH = `#compdef {{name}}
###-begin-{{name}}-completions-###
# {{name}} completion for zsh. Install: {{name}} completion zsh >> ~/.zshrc
_{{fn}}_completions()
{
  local reply
  local si=$IFS
  IFS=$'\\n' reply=($(ZSH_NAME=zsh {{name}} --get-yargs-completions "\${words[@]:0:CURRENT}" 2>/dev/null))
  IFS=$si
  if [[ \${#reply} -gt 0 ]]; then
    _describe 'values' reply
  else
    _default
  fi
}
if [[ "\${zsh_eval_context[-1]}" == "loadautofunc" ]]; then
  _{{fn}}_completions "$@"
else
  compdef _{{fn}}_completions {{name}}
fi
###-end-{{name}}-completions-###
`;

/** The completion script for `shell`, completing the program `name` (found on PATH). */
export function completionScript(shell: CompletionShell, name: string): string {
  const fn = name.replace(/[^A-Za-z0-9_]/g, "_");
  return (shell === "zsh" ? ZSH : BASH).replaceAll("{{name}}", name).replaceAll("{{fn}}", fn);
}

/** The shell `$SHELL` names, when it is one `completion` knows; else bash. */
export function loginShell(env: NodeJS.ProcessEnv): CompletionShell {
  return /zsh$/.test(env.SHELL ?? "") ? "zsh" : "bash";
}

/** Prints the completion script for the chosen shell (default: `$SHELL`'s). */
export function handleCompletion(args: CompletionArgs, io: CliIo, name: string): void {
  println(io, completionScript(args.shell ?? loginShell(io.env), name).trimEnd());
}

/** `llm-accounting completion [bash|zsh]`. */
export function completionCommand(ctx: CommandContext, name: string): CommandModule<GlobalArgs, CompletionArgs> {
  return {
    command: "completion [shell]",
    describe: "Print a script that completes commands and options in bash or zsh",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs.positional("shell", { choices: COMPLETION_SHELLS, describe: "The shell (default: the one $SHELL names, else bash)" }),
    handler: (args) => runHandler(ctx, async () => handleCompletion(args, ctx.io, name)),
  };
}
