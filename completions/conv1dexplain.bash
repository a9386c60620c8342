
_conv1dexplain_completion() {
    local IFS=$'
'
    COMPREPLY=( $( env COMP_WORDS="${COMP_WORDS[*]}" \
                   COMP_CWORD=$COMP_CWORD \
                   _CONV1DEXPLAIN_COMPLETE=complete_bash $1 ) )
    return 0
}

complete -o default -F _conv1dexplain_completion conv1dexplain

