function __chatctl_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __chatctl_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __chatctl_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __chatctl_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __chatctl_parse_tokens -S
    set -l unparsed_tokens (__chatctl_tokens -pc)
    switch $unparsed_tokens[1]
    case 'chatctl'
        __chatctl_parse_subcommand 0 'socket=' 'json' 'h/help'
        switch $unparsed_tokens[1]
        case 'status'
            __chatctl_parse_subcommand 0 'h/help'
        case 'stats'
            __chatctl_parse_subcommand 0 'h/help'
        case 'users'
            __chatctl_parse_subcommand 0 'h/help'
        case 'sessions'
            __chatctl_parse_subcommand 0 'user=' 'h/help'
        case 'kick'
            __chatctl_parse_subcommand -r 1 'reason=' 'h/help'
        case 'kick-user'
            __chatctl_parse_subcommand 1 'reason=' 'h/help'
        case 'user'
            __chatctl_parse_subcommand 0 'h/help'
            switch $unparsed_tokens[1]
            case 'show'
                __chatctl_parse_subcommand 1 'h/help'
            case 'list'
                __chatctl_parse_subcommand 0 'h/help'
            case 'disable'
                __chatctl_parse_subcommand 1 'reason=' 'h/help'
            case 'enable'
                __chatctl_parse_subcommand 1 'h/help'
            case 'delete'
                __chatctl_parse_subcommand 1 'h/help'
            case 'passwd'
                __chatctl_parse_subcommand 1 'password-stdin' 'h/help'
            case 'import-seed'
                __chatctl_parse_subcommand 0 'h/help'
            end
        case 'broadcast'
            __chatctl_parse_subcommand 1 'h/help'
        case 'reload'
            __chatctl_parse_subcommand 0 'h/help'
        case 'help'
            __chatctl_parse_subcommand -r 1 
        end
    end
end

function __chatctl_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __chatctl_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __chatctl_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __chatctl_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__chatctl_tokens -p)
    if test -z "$(__chatctl_tokens -t)"
        set -l index (count (__chatctl_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'chatctl' -f
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_flags_or_options "chatctl" socket' -l 'socket' -d 'Control socket of chatd (default: $CHATCTL_SOCKET or /run/chatd/control.sock).' -rfka ''
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_flags_or_options "chatctl" json' -l 'json' -d 'Print the result as JSON, for scripts.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_flags_or_options "chatctl" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_positional "chatctl" -eq 1' -fa 'status' -d 'Is chatd up: sessions, users online, Redis, uptime.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_positional "chatctl" -eq 1' -fa 'stats' -d 'Counters: sessions, connections, messages in and out of the live sessions.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_positional "chatctl" -eq 1' -fa 'users' -d 'Who is online: one line per user, with their number of sessions.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_positional "chatctl" -eq 1' -fa 'sessions' -d 'Live sessions: id, user, peer address, connected since, idle time, messages in/out.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_positional "chatctl" -eq 1' -fa 'kick' -d 'End sessions: each is sent the reason, then closed. The user\'s other sessions stay.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_positional "chatctl" -eq 1' -fa 'kick-user' -d 'End every session of a user (they may log in again; see `user disable`).'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_positional "chatctl" -eq 1' -fa 'user' -d 'Look after user records in Redis: show, list, disable, enable, delete, passwd, import-seed.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_positional "chatctl" -eq 1' -fa 'broadcast' -d 'Send a notice to everyone online, as a group message from "server" (not stored in history).'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_positional "chatctl" -eq 1' -fa 'reload' -d 'Re-read chatd\'s config file (as SIGHUP does); a broken file changes nothing and exits 1.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_positional "chatctl" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_flags_or_options "chatctl status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_flags_or_options "chatctl stats" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_flags_or_options "chatctl users" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_flags_or_options "chatctl sessions" user' -l 'user' -d 'Only the sessions of this user.' -rfka ''
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_flags_or_options "chatctl sessions" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_flags_or_options "chatctl kick" reason' -l 'reason' -d 'Shown to the user as they are disconnected.' -rfka ''
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_flags_or_options "chatctl kick" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_flags_or_options "chatctl kick-user" reason' -l 'reason' -d 'Shown to the user as they are disconnected.' -rfka ''
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_flags_or_options "chatctl kick-user" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_flags_or_options "chatctl user" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_positional "chatctl user" -eq 1' -fa 'show' -d 'A user\'s stored record (the password hash is never shown).'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_positional "chatctl user" -eq 1' -fa 'list' -d 'Every user record, by id (read with SCAN, so a large store is never blocked).'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_positional "chatctl user" -eq 1' -fa 'disable' -d 'Refuse the user\'s logins and end their live sessions.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_positional "chatctl user" -eq 1' -fa 'enable' -d 'Let a disabled user log in again.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_positional "chatctl user" -eq 1' -fa 'delete' -d 'End the user\'s sessions, then delete their record and offline inbox.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_positional "chatctl user" -eq 1' -fa 'passwd' -d 'Set a user\'s password: asked twice without echo, or one line from stdin.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_positional "chatctl user" -eq 1' -fa 'import-seed' -d 'Move the seed\'s `user` hash into chatd\'s records (passwords hashed, clear text removed).'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_flags_or_options "chatctl user show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_flags_or_options "chatctl user list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_flags_or_options "chatctl user disable" reason' -l 'reason' -d 'Shown to their sessions as they are closed.' -rfka ''
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_flags_or_options "chatctl user disable" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_flags_or_options "chatctl user enable" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_flags_or_options "chatctl user delete" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_flags_or_options "chatctl user passwd" password-stdin' -l 'password-stdin' -d 'Read the new password from the first line of stdin (for scripts).'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_flags_or_options "chatctl user passwd" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_flags_or_options "chatctl user import-seed" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_flags_or_options "chatctl broadcast" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'chatctl' -n '__chatctl_should_offer_completions_for_flags_or_options "chatctl reload" h help' -s 'h' -l 'help' -d 'Show help information.'
