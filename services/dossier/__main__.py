from services.dossier.main import main

main()
