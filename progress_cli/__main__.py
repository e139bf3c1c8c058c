from progress_cli.cli import main

main()
