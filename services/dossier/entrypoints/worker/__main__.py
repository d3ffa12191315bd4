from services.dossier.entrypoints.worker.main import main

main()
