from searchkit.cli.commands import main

main()
