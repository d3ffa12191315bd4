from services.catalog.entrypoints.http.app import main

main()
