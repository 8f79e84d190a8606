<?php
// The interop matrix's PHP client: PHP's own SoapClient (ext/soap), driven only by the WSDL the server publishes,
// calling the seed operations as scenario.py lists them (the list is passed as JSON on stdin). Prints JSON.
//
// Usage: php php_client.php BASE_URL [1.1|1.2] < calls.json
$base = $argv[1];
$version = ($argv[2] ?? '1.1') === '1.2' ? SOAP_1_2 : SOAP_1_1;
$agents = ['ToggleFavourite' => ['Services88', 'Favourite'], 'ToggleErpConnectionActive' => ['Services86', 'ErpSync'],
           'UpdateFeatureToggles' => ['Services86', 'CustomerService']];
$scenario = json_decode(stream_get_contents(STDIN), true);
$clients = [];
$results = [];
foreach ($scenario['calls'] as [$operation, $arguments, $header]) {
    [$services, $agent] = $agents[$operation];
    $address = "$base/Remote/$services/$agent.svc";
    $clients[$agent] ??= new SoapClient("$address?wsdl", ['location' => $address, 'soap_version' => $version,
        'cache_wsdl' => WSDL_CACHE_NONE, 'features' => SOAP_SINGLE_ELEMENT_ARRAYS, 'exceptions' => true,
        'connection_timeout' => 10, 'encoding' => 'UTF-8']);
    $headers = $header ? [new SoapHeader("http://www.superoffice.net/ws/crm/NetServer/$services", 'Credentials',
                                         ['Ticket' => $scenario['ticket']])] : [];
    if ($operation === 'UpdateFeatureToggles') {
        $arguments = ['FeatureToggles' => ['CsFeatureToggle' => $arguments['FeatureToggles']]];
    }
    $answer = $clients[$agent]->__soapCall($operation, [$arguments], null, $headers);
    $results[] = match ($operation) {
        'ToggleFavourite' => isset($answer->Response) ? (bool)$answer->Response : null,
        'ToggleErpConnectionActive' => array_values((array)($answer->Response->string ?? [])),
        default => null,
    };
}
echo json_encode($results, JSON_UNESCAPED_UNICODE), "\n";
