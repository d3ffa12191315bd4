from services.dossier.entrypoints.http.app import main

main()
