from omsctl.cli.app import main

main()
