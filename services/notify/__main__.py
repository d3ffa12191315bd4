from services.notify.entrypoints.http.app import main

main()
