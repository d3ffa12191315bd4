from services.dossier.entrypoints.relay.main import main

main()
