from services.dossier.relay.main import main

main()
