# bash completion for sluicectl (docs/reference.md section 12)
_sluicectl()
{
    local cur prev words cword
    _init_completion || return
    local commands="status agents drain cancel-drain stop restart start send turn interrupt
        shutdown-report doctor service"
    case $prev in
        --home) _filedir -d; return ;;
        --timeout|--drain-timeout|--interrupt-grace|--idempotency-key|--session) return ;;
        --platform) COMPREPLY=($(compgen -W "systemd launchd windows" -- "$cur")); return ;;
    esac
    local i command=""
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            --home) ((i++)) ;;
            -*) ;;
            *) command=${words[i]}; break ;;
        esac
    done
    local options
    case $command in
        "") options="--home --json --help --version"
            [[ $cur == -* ]] || options=$commands ;;
        drain) options="--wait --timeout --suppress-notification" ;;
        stop) options="--timeout" ;;
        restart) options="--force" ;;
        start) options="--if-desired" ;;
        send) options="--wait --timeout --idempotency-key" ;;
        interrupt) options="--session" ;;
        service)
            if [[ " ${words[*]:i+1} " != *" "@(install|uninstall|status)" "* ]]; then
                options="install uninstall status"
            else
                options="--system --force --dry-run --drain-timeout --interrupt-grace --platform"
            fi ;;
    esac
    [[ -n $command ]] && options+=" --json"
    COMPREPLY=($(compgen -W "$options" -- "$cur"))
}
complete -F _sluicectl sluicectl
