# fish completion for sluicectl (docs/reference.md section 12)
set -l commands status agents drain cancel-drain stop restart start send turn interrupt shutdown-report doctor service
complete -c sluicectl -f
complete -c sluicectl -l home -r -F -d 'the gateway HOME'
complete -c sluicectl -l json -d 'print one JSON document'
complete -c sluicectl -s h -l help -d 'show help'
complete -c sluicectl -l version -d 'show the version'
complete -c sluicectl -n "not __fish_seen_subcommand_from $commands" -a status -d 'state, drain, agents, alignment'
complete -c sluicectl -n "not __fish_seen_subcommand_from $commands" -a agents -d 'running turns'
complete -c sluicectl -n "not __fish_seen_subcommand_from $commands" -a drain -d 'refuse new turns'
complete -c sluicectl -n "not __fish_seen_subcommand_from $commands" -a cancel-drain -d 'accept turns again'
complete -c sluicectl -n "not __fish_seen_subcommand_from $commands" -a stop -d 'planned stop'
complete -c sluicectl -n "not __fish_seen_subcommand_from $commands" -a restart -d 'restart the gateway'
complete -c sluicectl -n "not __fish_seen_subcommand_from $commands" -a start -d 'start sluiced detached'
complete -c sluicectl -n "not __fish_seen_subcommand_from $commands" -a send -d 'start a turn'
complete -c sluicectl -n "not __fish_seen_subcommand_from $commands" -a turn -d "a turn's state and output"
complete -c sluicectl -n "not __fish_seen_subcommand_from $commands" -a interrupt -d 'interrupt a turn'
complete -c sluicectl -n "not __fish_seen_subcommand_from $commands" -a shutdown-report -d 'the last stop'
complete -c sluicectl -n "not __fish_seen_subcommand_from $commands" -a doctor -d 'check the installation'
complete -c sluicectl -n "not __fish_seen_subcommand_from $commands" -a service -d 'the service definition'
complete -c sluicectl -n '__fish_seen_subcommand_from drain' -l wait -l suppress-notification
complete -c sluicectl -n '__fish_seen_subcommand_from drain stop send' -l timeout -r
complete -c sluicectl -n '__fish_seen_subcommand_from restart' -l force
complete -c sluicectl -n '__fish_seen_subcommand_from start' -l if-desired
complete -c sluicectl -n '__fish_seen_subcommand_from send' -l wait
complete -c sluicectl -n '__fish_seen_subcommand_from send' -l idempotency-key -r
complete -c sluicectl -n '__fish_seen_subcommand_from interrupt' -l session -r
complete -c sluicectl -n '__fish_seen_subcommand_from service; and not __fish_seen_subcommand_from install uninstall status' -a 'install uninstall status'
complete -c sluicectl -n '__fish_seen_subcommand_from service' -l system -l force -l dry-run
complete -c sluicectl -n '__fish_seen_subcommand_from service' -l drain-timeout -r
complete -c sluicectl -n '__fish_seen_subcommand_from service' -l interrupt-grace -r
complete -c sluicectl -n '__fish_seen_subcommand_from service' -l platform -r -a 'systemd launchd windows'
