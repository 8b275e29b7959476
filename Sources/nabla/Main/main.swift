import NablaCommandLine

NablaCommand.main()
