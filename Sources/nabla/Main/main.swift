import NablaCommandLine

NablaCommand.checkEnvironment()
NablaCommand.main()
