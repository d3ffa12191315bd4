from services.identity.entrypoints.http.app import main

main()
