from services.dossier.worker.main import main

main()
