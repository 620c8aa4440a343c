/// argument-parser's completion scripts, with what they miss for broker: `login NAME...` is
/// `login`'s default subcommand, which the bash and zsh generators do not offer, so
/// `broker login <TAB>` would list only the adapters. Fish's generator already does it. Each
/// patch is a text replacement that does nothing if the generator's output changes (the
/// completion tests then say so).
enum CompletionScript {
    static func patched(_ script: String) -> String {
        var script = script
        for (generated, replacement) in patches { script = script.replacingOccurrences(of: generated, with: replacement) }
        return script
    }

    private static let subcommands = "providers aws gcp azure vault"

    private static let patches: [(String, String)] = [
        // bash: the first word also offers the config's providers; after a provider name, the
        // rest completes as `login providers`.
        ("""
            *)
                    # Offer subcommand completions
                    COMPREPLY+=($(compgen -W '\(subcommands)' -- "${cur}"))
                    ;;
            """, """
            *)
                    # Offer subcommand completions, and the config's providers (`login NAME...`)
                    unparsed_words=("${subcommand}" "${unparsed_words[@]}")
                    if [[ "${#unparsed_words[@]}" -le 1 ]]; then
                        COMPREPLY+=($(compgen -W '\(subcommands)' -- "${cur}"))
                    fi
                    _broker_login_providers
                    ;;
            """),
        // zsh: the same, in its two states.
        ("""
                    _describe -V subcommand subcommands && ret=0
                    ;;
                arg)
                    case "${words[1]}" in
                    \(subcommands.replacingOccurrences(of: " ", with: "|")))
                        "_broker_login_${words[1]}" && ret=0
                        ;;
            """, """
                    _describe -V subcommand subcommands && ret=0
                    __broker_custom_complete ---completion login providers -- positional@0 "${current_word_index}" "$(__broker_cursor_index_in_current_word)" && ret=0
                    ;;
                arg)
                    case "${words[1]}" in
                    \(subcommands.replacingOccurrences(of: " ", with: "|")))
                        "_broker_login_${words[1]}" && ret=0
                        ;;
                    *)
                        _broker_login_providers && ret=0
                        ;;
            """),
    ]
}
