from services.gateway.entrypoints.http.app import main

main()
