
#compdef conv1dexplain

_conv1dexplain_completion() {
  eval $(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" _CONV1DEXPLAIN_COMPLETE=complete_zsh conv1dexplain)
}

compdef _conv1dexplain_completion conv1dexplain

